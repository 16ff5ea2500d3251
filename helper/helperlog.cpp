// SPDX-License-Identifier: GPL-2.0-or-later
#include "helperlog.h"

Q_LOGGING_CATEGORY(lcHelper, "kmr.helper", QtInfoMsg)
