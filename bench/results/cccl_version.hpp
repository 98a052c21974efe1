// The CCCL version the build compiled against, for the document's build block. Compiled only
// when ELUBENCH_HAVE_CUDA (nvcc reads the CCCL headers); callers guard their use.
#pragma once

#include <string>

namespace elubench::bench {

// "3.0.1" from CCCL_VERSION (or CUB_VERSION) as the headers we compiled against say.
std::string cccl_version();

}  // namespace elubench::bench
