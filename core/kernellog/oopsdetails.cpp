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
// Fills f but for its function, whose name is left in *name (converting it is the costly part).
bool parseSymbolAt(QByteArrayView v, qsizetype p, OopsFrame *f, QByteArrayView *name)
{
    const qsizetype n = v.size();
    const qsizetype s = p;
    while (p < n && isSymbolChar(v[p]))
        ++p;
    if (p == s || p + 3 >= n || v[p] != '+' || v[p + 1] != '0' || v[p + 2] != 'x')
        return false;
    *name = v.sliced(s, p - s);
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
bool faultingFromRipLine(QByteArrayView v, OopsFrame *f, QByteArrayView *name)
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
    return p >= 0 && parseSymbolAt(v, p, f, name);
}

bool parseFrameAt(QByteArrayView v, OopsFrame *out, QByteArrayView *name)
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
    if (!parseSymbolAt(v, p, &f, name))
        return false;
    f.questionable = questionable;
    *out = f;
    return true;
}

// The frame named like the title's frame ("f" or "f.isra.0"), not a "? " one; -1 when none is.
qsizetype frameNamed(const QList<OopsFrame> &frames, const QList<QByteArrayView> &names, const QString &titleFrame)
{
    for (qsizetype i = 0; i < frames.size(); ++i) {
        const QLatin1StringView name(names[i]);
        if (!frames[i].questionable
            && (name == titleFrame
                || (name.startsWith(titleFrame) && name.sliced(titleFrame.size()).startsWith(QLatin1Char('.')))))
            return i;
    }
    return -1;
}

} // namespace

bool parseFrame(QByteArrayView v, OopsFrame *out)
{
    QByteArrayView name;
    if (!parseFrameAt(v, out, &name))
        return false;
    out->function = internLatin1(name);
    return true;
}

void fillDetails(OopsExcerpt &e, const QList<QByteArrayView> &texts, const QString &titleFrame, bool frameNames)
{
    OopsFrame fault;
    QString faultFunction;
    bool haveFault = false;
    QList<QByteArrayView> names; // of e.frames
    for (qsizetype i = 0; i < texts.size(); ++i) {
        const QByteArrayView v = texts[i];
        OopsFrame f;
        QByteArrayView name;
        if (parseFrameAt(v, &f, &name)) {
            f.line = i < e.lineIndexes.size() ? e.lineIndexes[i] : -1;
            if (frameNames)
                f.function = internLatin1(name);
            e.frames << f;
            names << name;
            continue;
        }
        if (!haveFault && faultingFromRipLine(v, &fault, &name)) {
            haveFault = true;
            faultFunction = internLatin1(name);
        }
        if (e.taint.isEmpty() && contains(v, "Tainted: "))
            e.taint = taintFromCpuLine(v);
        if (e.modulesLinkedIn.isEmpty() && v.startsWith("Modules linked in:"))
            e.modulesLinkedIn = modulesFrom(v.sliced(18));
    }
    if (!haveFault && !titleFrame.isEmpty()) {
        // A hung task or a stall has no faulting IP: the frame its title names is the suspect.
        const qsizetype i = frameNamed(e.frames, names, titleFrame);
        if (i >= 0) {
            fault = e.frames[i];
            faultFunction = internLatin1(names[i]);
            haveFault = true;
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
            QByteArrayView name;
            haveFault = parseSymbolAt(header, start, &fault, &name);
            if (haveFault)
                faultFunction = internLatin1(name);
        }
    }
    for (qsizetype i = 0; !haveFault && i < e.frames.size(); ++i) {
        if (!e.frames[i].questionable) {
            fault = e.frames[i];
            faultFunction = internLatin1(names[i]);
            haveFault = true;
        }
    }
    if (haveFault) {
        e.faultingFunction = faultFunction;
        e.faultingModule = fault.module;
    }
}

} // namespace kmr::kernellog::detail
