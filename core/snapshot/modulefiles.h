// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

struct kmod_ctx;

namespace kmr {

// Fills the .ko-derived fields of a module (path, vermagic, srcversion, signer, depends,
// compiler, exit) through libkmod's modules.dep lookup under ROOT/lib/modules/RELEASE, or
// from extra directories for modules loaded with insmod from a build tree.
// Results for an unchanged file are cached process-wide, so auto-refresh stays cheap.
class ModuleFiles
{
public:
    ModuleFiles(const QString &root, const QString &release, const QStringList &extraDirs);
    ~ModuleFiles();
    ModuleFiles(const ModuleFiles &) = delete;
    ModuleFiles &operator=(const ModuleFiles &) = delete;

    // sysfsSrcversion: /sys/module/NAME/srcversion when the kernel has one; used to make sure
    // a .ko found in an extra directory is the one that was loaded.
    void fill(ModuleInfo *m, const QString &sysfsSrcversion, QStringList *modinfoDepends) const;

private:
    QString findInExtraDirs(const QString &name) const;

    ::kmod_ctx *m_ctx = nullptr;
    QString m_ctxError;
    QString m_root;
    QStringList m_extraDirs;
};

} // namespace kmr
