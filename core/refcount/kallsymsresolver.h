// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

namespace kmr {

// Resolves kernel addresses to "symbol+0xOFF/0xSIZE [module]" (the kernel's %pS form) from a
// /proc/kallsyms text. Only root reads real addresses there (others see zeros, and load() then
// says so). A symbol's size is the distance to the next symbol, as the kernel's own kallsyms
// lookup computes it.
class KallsymsResolver
{
public:
    // Loads ROOT/proc/kallsyms, or only the lines of one module when onlyModule is given (the
    // full table holds 100k+ symbols; a trace needs its module's). False with *why on failure.
    bool load(const QString &root, QString *why, const QString &onlyModule = QString());
    // Same from text already read (tests).
    bool loadText(const QByteArray &text, QString *why, const QString &onlyModule = QString());

    // "sym+0x1d/0xa0 [mod]", or an empty string when the address is outside every symbol.
    QString resolve(quint64 address) const;
    qsizetype size() const { return qsizetype(m_syms.size()); }

private:
    struct Sym {
        quint64 addr;
        QByteArray name;
        QByteArray module;
    };
    std::vector<Sym> m_syms;
};

} // namespace kmr
