// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QString>

namespace kmr {

// Where kmodrescue_fixer.ko comes from, in this order, never from a client:
//  1. the directory given on the helper's own command line (--fixer-dir, for the lab), as
//     DIR/RELEASE/kmodrescue_fixer.ko or DIR/kmodrescue_fixer.ko;
//  2. DKMS's build for the running kernel: /lib/modules/RELEASE/updates/dkms/kmodrescue_fixer.ko[.xz|.zst|.gz];
//  3. built by the helper from the installed source (KMR_DATADIR/fixer) in its own 0700 state
//     directory, with the kernel's own compiler and a clean environment.
// Every file and directory on the way must be owned by root and not writable by anyone else.
class FixerLocator
{
public:
    struct Options {
        QString fixerDir; // --fixer-dir, empty in production
        QString stateDir = QStringLiteral("/var/lib/kmodrescue");
        QString sourceDir = QStringLiteral(KMR_DATADIR "/fixer");
    };
    explicit FixerLocator(Options o)
        : m_options(std::move(o))
    { }

    // The .ko to load, or empty with *error saying what was tried and what to do.
    QString locate(QString *error) const;

private:
    QString build(const QString &release, QString *error) const;
    Options m_options;
};

// Whether `path` and every directory above it are root-owned and not group/other-writable.
bool trustedPath(const QString &path, QString *why);

} // namespace kmr
