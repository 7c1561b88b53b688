// CLinux is header-only (see include/CLinux.h); SwiftPM wants one source file per C target.
#include "CLinux.h"
