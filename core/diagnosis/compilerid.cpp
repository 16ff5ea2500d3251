// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/compilerid.h"

#include <QRegularExpression>

namespace kmr {

QString CompilerId::display() const
{
    if (!valid())
        return text;
    return (family == QLatin1String("gcc") ? QStringLiteral("GCC") : family) + QLatin1Char(' ') + version;
}

CompilerId parseCompilerId(const QString &text)
{
    CompilerId id;
    id.text = text.trimmed();
    // A .comment may hold several NUL- or newline-separated strings (the compiler, the linker, an
    // LTO plugin): the compiler is the one that names GCC or clang.
    static const QRegularExpression clangRe(QStringLiteral("clang version (\\d+)\\.(\\d+)(?:\\.(\\d+))?"));
    static const QRegularExpression gccAfterParen(QStringLiteral("\\)\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?"));
    static const QRegularExpression anyVersion(QStringLiteral("(\\d+)\\.(\\d+)(?:\\.(\\d+))?"));
    static const QRegularExpression gccName(QStringLiteral("(^|[^A-Za-z])(GCC|gcc)([^A-Za-z]|$)"));

    auto take = [&id](const QRegularExpressionMatch &m) {
        id.major = m.captured(1).toInt();
        id.version = m.captured(1) + QLatin1Char('.') + m.captured(2);
        if (m.capturedLength(3) > 0)
            id.version += QLatin1Char('.') + m.captured(3);
    };
    const QRegularExpressionMatch c = clangRe.match(id.text);
    if (c.hasMatch()) {
        id.family = QStringLiteral("clang");
        take(c);
        return id;
    }
    const QRegularExpressionMatch g = gccName.match(id.text);
    if (g.hasMatch()) {
        // "GCC: (Debian 12.2.0-14) 12.2.0", "gcc-12 (Debian 12.2.0-14) 12.2.0",
        // "gcc (GCC) 4.8.5 20150623 (Red Hat 4.8.5-44)": the version follows the first ')'.
        const QString from = id.text.mid(g.capturedStart(2));
        QRegularExpressionMatch v = gccAfterParen.match(from);
        if (!v.hasMatch())
            v = anyVersion.match(from);
        if (v.hasMatch()) {
            id.family = QStringLiteral("gcc");
            take(v);
        }
    }
    return id;
}

CompilerMatch compareCompilers(const CompilerId &module, const CompilerId &kernel)
{
    if (!module.valid() || !kernel.valid())
        return CompilerMatch::Unknown;
    if (module.family != kernel.family || module.major != kernel.major)
        return CompilerMatch::Different;
    if (module.version != kernel.version)
        return CompilerMatch::MinorDifference;
    return CompilerMatch::Same;
}

} // namespace kmr
