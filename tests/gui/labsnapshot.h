// SPDX-License-Identifier: GPL-2.0-or-later
// A snapshot built in code, modelled on the lab's stuck scenarios on a Debian 12 guest, for GUI
// tests that need exact, known values (the fixture trees cover the real reader).
#pragma once

#include "snapshot/moduleinfo.h"

namespace kmr::testdata {

inline ModuleInfo mod(const QString &name, qint64 size, int refs, const QStringList &holders = {},
    ModuleState state = ModuleState::Live, const QString &taint = {})
{
    ModuleInfo m;
    m.name = name;
    m.size = size;
    m.refcount = refs;
    m.holders = holders;
    m.state = state;
    m.taint = taint;
    m.outOfTree = taint.contains(QLatin1Char('O'));
    const bool ours = name.startsWith(QLatin1String("kmr_"));
    m.koPath = Fact::of(ours
            ? QStringLiteral("/lib/modules/6.1.0-56-amd64/updates/") + name + QStringLiteral(".ko")
            : QStringLiteral("/lib/modules/6.1.0-56-amd64/kernel/drivers/") + name + QStringLiteral(".ko.xz"));
    m.compiler
        = Fact::of(ours && name != QLatin1String("kmr_holder") ? QStringLiteral("GCC: (Debian 11.3.0-12) 11.3.0")
                                                               : QStringLiteral("GCC: (Debian 12.2.0-14) 12.2.0"));
    m.vermagic = Fact::of(QStringLiteral("6.1.0-56-amd64 SMP preempt mod_unload modversions"));
    m.srcversion = Fact::of(QStringLiteral("1C2E4A6B8D0F1A3C5E7B9D0"));
    m.signer = ours ? Fact::of(QString()) : Fact::of(QStringLiteral("Debian Secure Boot CA"));
    m.exit = ExitPresence::Present;
    m.address = 0xffffffffc0a00000ULL + quint64(size);
    return m;
}

// A Debian 12 guest with the lab's stuck scenarios loaded.
inline Snapshot labSnapshot(const QString &source = QStringLiteral("live"))
{
    Snapshot s;
    s.source = source;
    s.takenMsecsSinceEpoch = 1700000000000;
    KernelFacts &k = s.kernel;
    k.release = Fact::of(QStringLiteral("6.1.0-56-amd64"));
    k.version = Fact::of(QStringLiteral("Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) "
                                        "(gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40)"));
    k.taintMask = (1 << 12) | (1 << 13) | (1 << 7);
    k.taintKnown = true;
    k.taintLetters = QStringLiteral("DOE");
    k.compiler = Fact::of(QStringLiteral("gcc-12 (Debian 12.2.0-14) 12.2.0"));
    k.lockdown = Fact::of(QStringLiteral("none"));
    k.forceUnload = Fact::unknown(QStringLiteral("no /boot/config-6.1.0-56-amd64 and no /proc/config.gz"));
    k.modulesDisabled = Fact::of(QStringLiteral("0"));
    k.sigEnforce = Fact::of(QStringLiteral("N"));
    k.moduleSupport = true;
    ModuleInfo noExit = mod(QStringLiteral("kmr_noexit"), 12288, 0, {}, ModuleState::Live, QStringLiteral("OE"));
    noExit.exit = ExitPresence::Missing;
    ModuleInfo unknownKo = mod(QStringLiteral("kmr_vanished"), 12288, 0);
    unknownKo.koPath = Fact::unknown(QStringLiteral("not in modules.dep"));
    unknownKo.compiler = Fact::unknown(QStringLiteral("no .ko file to read"));
    s.modules = {
        mod(QStringLiteral("crc32_pclmul"), 16384, 0),
        mod(QStringLiteral("drm"), 614400, 4, {QStringLiteral("drm_kms_helper"), QStringLiteral("virtio_gpu")}),
        mod(QStringLiteral("drm_kms_helper"), 204800, 1, {QStringLiteral("virtio_gpu")}),
        mod(QStringLiteral("e1000"), 159744, 0),
        mod(QStringLiteral("kmr_exitoops"), 12288, 0, {}, ModuleState::Unloading, QStringLiteral("OE")),
        mod(QStringLiteral("kmr_held"), 12288, 1, {QStringLiteral("kmr_holder")}, ModuleState::Live,
            QStringLiteral("OE")),
        mod(QStringLiteral("kmr_holder"), 12288, 0, {}, ModuleState::Live, QStringLiteral("OE")),
        mod(QStringLiteral("kmr_initoops"), 16384, 1, {}, ModuleState::Loading, QStringLiteral("OE")),
        mod(QStringLiteral("kmr_leak"), 12288, 3, {}, ModuleState::Live, QStringLiteral("OE")),
        noExit,
        unknownKo,
        mod(QStringLiteral("psmouse"), 188416, 0),
        mod(QStringLiteral("snd_hda_codec"), 184320, 1, {QStringLiteral("snd_hda_intel")}),
        mod(QStringLiteral("snd_hda_intel"), 57344, 0),
        mod(QStringLiteral("virtio_gpu"), 90112, 0),
        mod(QStringLiteral("virtio_net"), 69632, 0),
    };
    s.modules[5].dependencies = {};
    s.modules[6].dependencies = {QStringLiteral("kmr_held")};
    return s;
}

} // namespace kmr::testdata
