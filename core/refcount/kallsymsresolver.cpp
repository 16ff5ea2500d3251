// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/kallsymsresolver.h"

#include "util/fileread.h"

#include <QFile>

#include <algorithm>

namespace kmr {

bool KallsymsResolver::load(const QString &root, QString *why, const QString &onlyModule)
{
    QFile f(joinRoot(root, QStringLiteral("/proc/kallsyms")));
    if (!f.open(QIODevice::ReadOnly)) {
        *why = f.fileName() + QStringLiteral(": ") + f.errorString();
        return false;
    }
    // /proc files report size 0: read to the end.
    return loadText(f.readAll(), why, onlyModule);
}

bool KallsymsResolver::loadText(const QByteArray &text, QString *why, const QString &onlyModule)
{
    m_syms.clear();
    const QByteArray wantMod = onlyModule.toUtf8();
    bool anyNonZero = false;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype nl = text.indexOf('\n', start);
        if (nl < 0)
            nl = text.size();
        const QByteArrayView line = QByteArrayView(text).sliced(start, nl - start);
        start = nl + 1;
        // "ffffffffc047a000 t kmr_refleak_grab\t[kmr_refleak]"
        const qsizetype sp1 = line.indexOf(' ');
        if (sp1 <= 0 || sp1 + 3 > line.size())
            continue;
        QByteArrayView rest = line.sliced(sp1 + 3);
        QByteArray module;
        const qsizetype tab = rest.indexOf('\t');
        if (tab >= 0) {
            QByteArrayView m = rest.sliced(tab + 1).trimmed();
            if (m.startsWith('[') && m.endsWith(']'))
                module = m.sliced(1, m.size() - 2).toByteArray();
            rest = rest.first(tab);
        }
        if (!wantMod.isEmpty() && module != wantMod)
            continue;
        bool ok = false;
        const quint64 addr = line.first(sp1).toULongLong(&ok, 16);
        if (!ok)
            continue;
        anyNonZero = anyNonZero || addr != 0;
        m_syms.push_back({addr, rest.toByteArray(), module});
    }
    if (m_syms.empty()) {
        *why = wantMod.isEmpty() ? QStringLiteral("no symbols in /proc/kallsyms")
                                 : QStringLiteral("no symbols of module %1 in /proc/kallsyms").arg(onlyModule);
        return false;
    }
    if (!anyNonZero) {
        m_syms.clear();
        *why = QStringLiteral("/proc/kallsyms shows only zero addresses: reading them needs root (kptr_restrict)");
        return false;
    }
    std::stable_sort(m_syms.begin(), m_syms.end(), [](const Sym &a, const Sym &b) { return a.addr < b.addr; });
    return true;
}

QString KallsymsResolver::resolve(quint64 address) const
{
    auto it
        = std::upper_bound(m_syms.begin(), m_syms.end(), address, [](quint64 a, const Sym &s) { return a < s.addr; });
    if (it == m_syms.begin())
        return {};
    const auto sym = std::prev(it);
    // Aliases at one address (cleanup_module and kmr_refleak_exit): prefer the first name that
    // is not a compiler alias, as the kernel does not guarantee one either.
    auto best = sym;
    for (auto a = sym; a->addr == sym->addr; --a) {
        if (!a->name.startsWith("__pfx_") && a->name != "cleanup_module" && a->name != "init_module")
            best = a;
        if (a == m_syms.begin())
            break;
    }
    if (it == m_syms.end())
        return {}; // past the last symbol: no size, no answer (load the whole table)
    const quint64 size = it->addr - sym->addr;
    const quint64 off = address - sym->addr;
    QString out = QString::fromUtf8(best->name) + QStringLiteral("+0x") + QString::number(off, 16)
        + QStringLiteral("/0x") + QString::number(size, 16);
    if (!best->module.isEmpty())
        out += QStringLiteral(" [") + QString::fromUtf8(best->module) + QLatin1Char(']');
    return out;
}

} // namespace kmr
