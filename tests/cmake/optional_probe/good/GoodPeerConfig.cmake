set(GoodPeer_FOUND TRUE)
set(GoodPeer_VERSION 1.2.3)
add_library(GoodPeer::GoodPeer INTERFACE IMPORTED)
