// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "bundle/bundlecontents.h"
#include "command.h"
#include "snapshot/moduleinfo.h"

namespace kmr::cli {

// The snapshot a command works on: the live system, a fixture root (--root) or a bundle
// (--bundle). Returns ExitOk, or the exit code to return after printing why to ctx.err.
// With a bundle, *bundleOut (when given) receives everything the bundle holds.
int loadSnapshot(Context &ctx, Snapshot *out, bundle::BundleContents *bundleOut = nullptr);

// loadSnapshot() for the commands that study modules: a kernel without module support also
// ends the command (reportNoModuleSupport()).
int loadModuleSnapshot(Context &ctx, Snapshot *out, bundle::BundleContents *bundleOut = nullptr);

// Prints the "no module support" message and returns ExitNoModuleSupport.
int reportNoModuleSupport(Context &ctx, const Snapshot &s);

// Looks NAME up ('-' and '_' equal); prints a not-found message and returns nullptr when absent.
const ModuleInfo *findOrReport(Context &ctx, const Snapshot &s, const QString &name);

} // namespace kmr::cli
