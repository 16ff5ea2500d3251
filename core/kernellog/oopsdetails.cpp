// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsdetails.h"
#include "kernellog/oopsline.h"

namespace kmr::kernellog::detail {

namespace {

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isSymbolChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// Hex digits as QByteArrayView::toULongLong(16) reads them: 0 when they overflow 64 bits.
quint64 hexValue(QByteArrayView digits)
{
    while (digits.size() > 1 && digits.front() == '0')
        digits = digits.sliced(1);
    if (digits.size() > 16)
        return 0;
    quint64 value = 0;
    for (const char c : digits) {
        const int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        value = value << 4 | quint64(d);
    }
    return value;
}

// "func+0x1a/0x30 [mod]" starting at p. Returns false when there is no such thing at p.
bool parseSymbolAt(QByteArrayView v, qsizetype p, OopsFrame *f)
{
    const qsizetype n = v.size();
    const qsizetype s = p;
    while (p < n && isSymbolChar(v[p]))
        ++p;
    if (p == s || p + 3 >= n || v[p] != '+' || v[p + 1] != '0' || v[p + 2] != 'x')
        return false;
    const QByteArrayView name = v.sliced(s, p - s);
    p += 3;
    qsizetype h = p;
    while (p < n && isHex(v[p]))
        ++p;
    if (p == h)
        return false;
    f->offset = hexValue(v.sliced(h, p - h));
    if (p + 3 < n && v[p] == '/' && v[p + 1] == '0' && v[p + 2] == 'x') {
        p += 3;
        h = p;
        while (p < n && isHex(v[p]))
            ++p;
        f->size = hexValue(v.sliced(h, p - h));
    }
    f->function = internLatin1(name);
    f->module.clear();
    if (p + 2 < n && v[p] == ' ' && v[p + 1] == '[') {
        const qsizetype close = v.indexOf(']', p + 2);
        if (close > p + 2) {
            // "[kmr_initoops]" or "[kmr_initoops 1234abcd...]" (with a build id).
            QByteArrayView mod = v.sliced(p + 2, close - p - 2);
            const qsizetype sp = mod.indexOf(' ');
            if (sp > 0)
                mod = mod.first(sp);
            f->module = internLatin1(mod);
        }
    }
    return true;
}

QString taintFromCpuLine(QByteArrayView v)
{
    const qsizetype t = find(v, "Tainted: ");
    if (t < 0 || (t >= 4 && v.sliced(t - 4, 4) == "Not "))
        return {};
    QByteArrayView rest = v.sliced(t + 9);
    // 6.12 prints the letters decoded: "Tainted: [W]=WARN, [O]=OOT_MODULE".
    if (rest.startsWith('[')) {
        QString letters;
        qsizetype p = 0;
        while ((p = rest.indexOf('[', p)) >= 0 && p + 2 < rest.size()) {
            if (rest[p + 2] == ']')
                letters += QLatin1Char(rest[p + 1]);
            p += 3;
        }
        return letters;
    }
    QString letters;
    for (const QByteArray &tok : rest.toByteArray().split(' ')) {
        if (tok.isEmpty())
            continue;
        bool flags = true;
        for (char c : tok)
            flags = flags && c >= 'A' && c <= 'Z';
        if (!flags)
            break;
        letters += QString::fromLatin1(tok);
    }
    if (letters.startsWith(QLatin1Char('G')))
        letters.remove(0, 1); // G: only GPL modules, the absence of P, not a taint
    return letters;
}

QStringList modulesFrom(QByteArrayView v)
{
    QStringList mods;
    const qsizetype last = v.indexOf("[last unloaded");
    if (last >= 0)
        v = v.first(last);
    for (const QByteArray &t : v.toByteArray().split(' ')) {
        QByteArrayView tok = t;
        const qsizetype paren = tok.indexOf('(');
        if (paren >= 0)
            tok = tok.first(paren);
        tok = tok.trimmed();
        if (!tok.isEmpty())
            mods << QString::fromLatin1(tok);
    }
    return mods;
}

// Where a faulting IP is printed: "RIP: 0010:func+0x..", "PC is at func+..", "pc : func+..".
bool faultingFromRipLine(QByteArrayView v, OopsFrame *f)
{
    qsizetype p = -1;
    if (v.startsWith("RIP: ") || v.startsWith("EIP: ")) {
        p = 5;
        const qsizetype colon = v.indexOf(':', p);
        if (colon > 0 && colon < p + 6)
            p = colon + 1;
    } else if (v.startsWith("PC is at ")) {
        p = 9;
    } else if (v.startsWith("pc : ")) {
        p = 5;
        if (v.size() > p && v[p] == '[') {
            const qsizetype close = v.indexOf("] ", p);
            p = close > 0 ? close + 2 : p;
        }
    } else if (v.startsWith("NIP: ") || v.startsWith("NIP [")) {
        const qsizetype close = v.indexOf("] ");
        p = close > 0 ? close + 2 : -1;
    }
    return p >= 0 && parseSymbolAt(v, p, f);
}

} // namespace

bool parseFrame(QByteArrayView v, OopsFrame *out)
{
    qsizetype p = 0;
    const qsizetype n = v.size();
    while (p < n && v[p] == ' ')
        ++p;
    for (int pcs = 0; pcs < 2 && p < n && v[p] == '['; ++pcs) {
        const qsizetype close = v.indexOf("] ", p);
        if (close < 0 || close - p > 24)
            return false;
        p = close + 2;
    }
    bool questionable = false;
    if (p + 1 < n && v[p] == '?' && v[p + 1] == ' ') {
        questionable = true;
        p += 2;
    }
    OopsFrame f;
    if (!parseSymbolAt(v, p, &f))
        return false;
    f.questionable = questionable;
    *out = f;
    return true;
}

void fillDetails(OopsExcerpt &e, const QList<QByteArrayView> &texts, const QString &titleFrame)
{
    OopsFrame fault;
    bool haveFault = false;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        const QByteArrayView v = texts[i];
        OopsFrame f;
        if (parseFrame(v, &f)) {
            f.line = i < e.lineIndexes.size() ? e.lineIndexes[i] : -1;
            e.frames << f;
            continue;
        }
        if (!haveFault && faultingFromRipLine(v, &fault))
            haveFault = true;
        if (e.taint.isEmpty() && contains(v, "Tainted: "))
            e.taint = taintFromCpuLine(v);
        if (e.modulesLinkedIn.isEmpty() && v.startsWith("Modules linked in:"))
            e.modulesLinkedIn = modulesFrom(v.sliced(18));
    }
    if (!haveFault && !titleFrame.isEmpty()) {
        // A hung task or a stall has no faulting IP: the frame its title names is the suspect.
        for (const OopsFrame &f : std::as_const(e.frames)) {
            if (!f.questionable && (f.function == titleFrame || f.function.startsWith(titleFrame + QLatin1Char('.')))) {
                fault = f;
                haveFault = true;
                break;
            }
        }
    }
    if (!haveFault) {
        // "WARNING: CPU: 0 PID: 1 at drivers/x.c:12 func+0x1a/0x30 [mod]", "BUG: KASAN: ... in func+0x..".
        const QByteArray header = e.header.toUtf8();
        qsizetype p = header.lastIndexOf(" at ");
        if (!header.startsWith("WARNING") || p < 0)
            p = header.lastIndexOf(" in ");
        if (p >= 0) {
            const qsizetype sp = header.indexOf(' ', p + 4);
            const qsizetype start = header.startsWith("WARNING") && sp > 0 ? sp + 1 : p + 4;
            haveFault = parseSymbolAt(header, start, &fault);
        }
    }
    if (!haveFault) {
        for (const OopsFrame &f : std::as_const(e.frames)) {
            if (!f.questionable) {
                fault = f;
                haveFault = true;
                break;
            }
        }
    }
    if (haveFault) {
        e.faultingFunction = fault.function;
        e.faultingModule = fault.module;
    }
}

} // namespace kmr::kernellog::detail
