// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The rules that turn evidence into findings. Internal to core/diagnosis: use Diagnoser.

#include "diagnosis/diagnosis.h"

namespace kmr {

class SystemScan;

struct RuleInput {
    const Snapshot &snapshot;
    const SystemScan *scan; // null when the system was not scanned (bundle, another machine)
    const QList<OopsCitation> &oopses;
    const QHash<QString, QList<ReferenceTaker>> &takers;
};

Diagnosis diagnoseModule(const RuleInput &in, const QString &module);

// Real users of a module found by the scan (open device nodes of its majors, mounts of its
// filesystem types, network interfaces of its driver).
QList<ModuleUser> findModuleUsers(const SystemScan &scan, const QString &module);

} // namespace kmr
