// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "helperclient/modulenamevalidator.h"

#include <QSet>
#include <QString>

namespace kmr {

// What the validator needs to know about the running kernel. Read only after a name's syntax was
// accepted: the names used in paths here are canonical, validated names.
struct LiveModules {
    bool moduleSupport = false; // /proc/modules exists
    QSet<QString> loaded; // canonical names from /proc/modules

    static LiveModules read();
    // Built in: listed in /lib/modules/RELEASE/modules.builtin, or present in /sys/module without an
    // initstate (built-in code with parameters). `canonical` must have passed checkModuleNameSyntax.
    bool builtIn(const QString &canonical) const;
    // The full check: syntax first (no file system), then built-in and loaded.
    ModuleNameCheck check(const QString &name) const;
    // "live", "coming", "going", or "gone".
    static QString state(const QString &canonical);
};

QString runningKernelRelease();

} // namespace kmr
