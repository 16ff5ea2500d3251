// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kernellogcategory.h"

namespace kmr::kernellog {
Q_LOGGING_CATEGORY(lcKernelLog, "kmr.kernellog", QtWarningMsg)
}
