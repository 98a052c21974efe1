// A stand-in for libnvidia-ml.so.1 with the few entry points bench/timing/nvml.cpp loads, so that the
// dlopen path and the reading code run in tests on a machine without the driver. The SM clock
// alternates 1980 / 1700 MHz and the throttle reasons report a software power cap, so a row
// sampled through it must come out marked as throttled.
extern "C" {
static int g_calls;
int nvmlInit_v2(void) { return 0; }
int nvmlShutdown(void) { return 0; }
const char* nvmlErrorString(int rc) { return rc ? "fake NVML error" : "success"; }
int nvmlDeviceGetHandleByIndex_v2(unsigned i, void** d) {
  if (i != 0) return 2; /* NVML_ERROR_INVALID_ARGUMENT */
  *d = reinterpret_cast<void*>(0x1);
  return 0;
}
int nvmlDeviceGetHandleByPciBusId_v2(const char* bus, void** d) {
  (void)bus;
  *d = reinterpret_cast<void*>(0x1);
  return 0;
}
int nvmlDeviceGetClockInfo(void* d, int type, unsigned* mhz) {
  (void)d;
  if (type == 1) *mhz = (g_calls++ % 2) ? 1700 : 1980; /* SM */
  else *mhz = 3201;                                     /* memory */
  return 0;
}
int nvmlDeviceGetTemperature(void* d, int sensor, unsigned* c) { (void)d; (void)sensor; *c = 61; return 0; }
int nvmlDeviceGetPowerUsage(void* d, unsigned* mw) { (void)d; *mw = 612345; return 0; }
int nvmlDeviceGetCurrentClocksEventReasons(void* d, unsigned long long* bits) { (void)d; *bits = 0x4 | 0x1; return 0; }
}
