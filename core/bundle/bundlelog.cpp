// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundle/bundlelog.h"

Q_LOGGING_CATEGORY(lcBundle, "kmodrescue.bundle", QtInfoMsg)
