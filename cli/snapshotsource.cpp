// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshotsource.h"

#include "bundlesource.h"
#include "snapshot/snapshotreader.h"

#include <QFileInfo>

namespace kmr::cli {

int loadSnapshot(Context &ctx, Snapshot *out, bundle::BundleContents *bundleOut)
{
    if (!ctx.bundle.isEmpty()) {
        bundle::BundleContents b;
        if (const int rc = loadBundle(ctx, &b))
            return rc;
        *out = b.snapshot; // source is "bundle:FILE"
        if (bundleOut)
            *bundleOut = std::move(b);
        return ExitOk;
    }
    if (ctx.root != QLatin1String("/") && !QFileInfo(ctx.root).isDir()) {
        ctx.err << "kmodrescue-cli: --root " << ctx.root << " is not a directory\n";
        return ExitUsage;
    }
    SnapshotReader::Options o;
    o.root = ctx.root;
    *out = SnapshotReader(o).read();
    return ExitOk;
}

int loadModuleSnapshot(Context &ctx, Snapshot *out, bundle::BundleContents *bundleOut)
{
    if (const int rc = loadSnapshot(ctx, out, bundleOut))
        return rc;
    return out->kernel.moduleSupport ? int(ExitOk) : reportNoModuleSupport(ctx, *out);
}

int reportNoModuleSupport(Context &ctx, const Snapshot &s)
{
    ctx.err << "kmodrescue-cli: this kernel (" << s.kernel.release.display()
            << ") has no loadable module support: there is no /proc/modules, so no module can be stuck here.\n"
               "To study a stuck module from another machine, open its diagnostic bundle with --bundle FILE;\n"
               "--sample shows one recorded in the kmodrescue lab on a real kernel.\n";
    return ExitNoModuleSupport;
}

const ModuleInfo *findOrReport(Context &ctx, const Snapshot &s, const QString &name)
{
    const ModuleInfo *m = s.find(name);
    if (!m) {
        ctx.err << "kmodrescue-cli: no module named '" << name << "' is loaded";
        if (name.contains(QLatin1Char('/')) || name.endsWith(QLatin1String(".ko")))
            ctx.err << " (give the module's name, not a file path)";
        ctx.err << ". 'kmodrescue-cli list' shows the loaded modules.\n";
    }
    return m;
}

} // namespace kmr::cli
