// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QLoggingCategory>

// Every request, its caller and what came of it, for the journal.
Q_DECLARE_LOGGING_CATEGORY(lcHelper)
