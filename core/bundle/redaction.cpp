// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundle/redaction.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QSysInfo>

#include <algorithm>

namespace kmr::bundle {

QString toString(RedactionKind k)
{
    switch (k) {
    case RedactionKind::HostName:
        return QStringLiteral("host-name");
    case RedactionKind::UserName:
        return QStringLiteral("user-name");
    case RedactionKind::HomePath:
        return QStringLiteral("home-path");
    case RedactionKind::MacAddress:
        return QStringLiteral("mac-address");
    case RedactionKind::Ipv4Address:
        return QStringLiteral("ipv4-address");
    case RedactionKind::Ipv6Address:
        return QStringLiteral("ipv6-address");
    case RedactionKind::SerialNumber:
        return QStringLiteral("serial-number");
    }
    return QString();
}

namespace {

QString tokenPrefix(RedactionKind k)
{
    switch (k) {
    case RedactionKind::HostName:
        return QStringLiteral("host");
    case RedactionKind::UserName:
        return QStringLiteral("user");
    case RedactionKind::HomePath:
        return QStringLiteral("home");
    case RedactionKind::MacAddress:
        return QStringLiteral("mac");
    case RedactionKind::Ipv4Address:
        return QStringLiteral("ipv4");
    case RedactionKind::Ipv6Address:
        return QStringLiteral("ipv6");
    case RedactionKind::SerialNumber:
        return QStringLiteral("serial");
    }
    return QString();
}

struct Match {
    qsizetype start = 0;
    qsizetype length = 0;
    RedactionKind kind = RedactionKind::HostName;
    QString original;
};

// "fe80::1", "2001:db8:0:0:0:0:0:1": hex groups, at most one "::", 8 groups without it.
bool isIpv6(QStringView s)
{
    const qsizetype dbl = s.indexOf(QLatin1String("::"));
    if (dbl >= 0 && s.indexOf(QLatin1String("::"), dbl + 1) >= 0)
        return false;
    int groups = 0;
    for (QStringView part : s.split(QLatin1Char(':'))) {
        if (part.isEmpty())
            continue;
        if (part.size() > 4)
            return false;
        ++groups;
    }
    if (dbl < 0)
        return groups == 8 && !s.startsWith(QLatin1Char(':')) && !s.endsWith(QLatin1Char(':'));
    return groups >= 2 && groups <= 7; // "::1" (loopback) and "::" say nothing about the machine
}

bool boring(RedactionKind k, const QString &v)
{
    switch (k) {
    case RedactionKind::MacAddress:
        return v == QLatin1String("00:00:00:00:00:00")
            || v.compare(QLatin1String("ff:ff:ff:ff:ff:ff"), Qt::CaseInsensitive) == 0;
    case RedactionKind::Ipv4Address:
        return v.startsWith(QLatin1String("127.")) || v == QLatin1String("0.0.0.0")
            || v == QLatin1String("255.255.255.255");
    case RedactionKind::SerialNumber:
        return v.size() < 2 || v == QLatin1String("(null)");
    default:
        return false;
    }
}

class Scanner
{
public:
    explicit Scanner(const RedactionContext &c)
    {
        const QString id = QStringLiteral("[A-Za-z0-9_.-]");
        auto literal = [&](const QStringList &names, RedactionKind kind, int minLength) {
            QStringList alts;
            for (const QString &n : names) {
                if (n.size() >= minLength && n != QLatin1String("localhost") && n != QLatin1String("(none)"))
                    alts << QRegularExpression::escape(n);
            }
            if (alts.isEmpty())
                return;
            std::sort(alts.begin(), alts.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
            m_patterns.append({QRegularExpression(QStringLiteral("(?<!") + id + QStringLiteral(")(")
                                       + alts.join(QLatin1Char('|')) + QStringLiteral(")(?![A-Za-z0-9_-])"),
                                   QRegularExpression::CaseInsensitiveOption),
                kind});
        };
        literal(c.hostNames, RedactionKind::HostName, 2);
        literal(c.userNames, RedactionKind::UserName, 3);
        m_patterns.append(
            {QRegularExpression(QStringLiteral("(?<![\\w/.])(/home/[^/\\s\"'<>:;,()\\[\\]]+|/root)(?![\\w.-])")),
                RedactionKind::HomePath});
        m_patterns.append({QRegularExpression(QStringLiteral(
                               "(?<![0-9A-Fa-f:])((?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2})(?![0-9A-Fa-f:-])")),
            RedactionKind::MacAddress});
        m_patterns.append(
            {QRegularExpression(QStringLiteral(
                 "(?<![\\w.])((?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d))(?![\\w.])")),
                RedactionKind::Ipv4Address});
        m_patterns.append({QRegularExpression(QStringLiteral("(?<![\\w:.])([0-9A-Fa-f:]{3,39})(?![\\w:])")),
            RedactionKind::Ipv6Address});
        m_patterns.append(
            {QRegularExpression(
                 QStringLiteral("(?<!\\w)(?:serial[ _-]?(?:number|no)|serial(?=\\s*=)|iSerial)\\s*[:=]\\s*"
                                "([^\\s\"',;]+)"),
                 QRegularExpression::CaseInsensitiveOption),
                RedactionKind::SerialNumber});
        for (auto &p : m_patterns)
            p.re.optimize();
    }

    // Every match in `text`, in order, overlaps resolved (the earlier, then the longer one wins).
    QList<Match> scan(const QString &text) const
    {
        QList<Match> all;
        for (const Pattern &p : m_patterns) {
            auto it = p.re.globalMatch(text);
            while (it.hasNext()) {
                const QRegularExpressionMatch m = it.next();
                QString v = m.captured(1);
                // "fe80::1: link is ready": the colon after the address is the sentence's.
                while (p.kind == RedactionKind::Ipv6Address && v.endsWith(QLatin1Char(':'))
                    && !v.endsWith(QLatin1String("::")))
                    v.chop(1);
                if (p.kind == RedactionKind::Ipv6Address && !isIpv6(v))
                    continue;
                if (boring(p.kind, v))
                    continue;
                all.append({m.capturedStart(1), v.size(), p.kind, v});
            }
        }
        std::sort(all.begin(), all.end(), [](const Match &a, const Match &b) {
            return a.start != b.start ? a.start < b.start : a.length > b.length;
        });
        QList<Match> out;
        qsizetype end = 0;
        for (const Match &m : std::as_const(all)) {
            if (m.start >= end) {
                out.append(m);
                end = m.start + m.length;
            }
        }
        return out;
    }

    bool empty() const { return m_patterns.isEmpty(); }

private:
    struct Pattern {
        QRegularExpression re;
        RedactionKind kind;
    };
    QList<Pattern> m_patterns;
};

QString key(RedactionKind k, const QString &original)
{
    return toString(k) + QLatin1Char('\x1f') + original;
}

} // namespace

RedactionContext RedactionContext::fromRoot(const QString &root)
{
    RedactionContext c;
    const QString r = root.isEmpty() ? QStringLiteral("/") : root;
    QFile h(QDir(r).filePath(QStringLiteral("proc/sys/kernel/hostname")));
    if (h.open(QIODevice::ReadOnly))
        c.hostNames << QString::fromUtf8(h.readAll()).trimmed();
    if (QDir(r).canonicalPath() == QLatin1String("/"))
        c.hostNames << QSysInfo::machineHostName();
    for (const QString &n : QStringList(c.hostNames)) {
        if (n.contains(QLatin1Char('.')))
            c.hostNames << n.section(QLatin1Char('.'), 0, 0);
    }
    c.hostNames.removeAll(QString());
    c.hostNames.removeDuplicates();
    QFile p(QDir(r).filePath(QStringLiteral("etc/passwd")));
    if (p.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : p.readAll().split('\n')) {
            const QList<QByteArray> f = line.split(':');
            if (f.size() < 3)
                continue;
            bool ok = false;
            const int uid = f.at(2).toInt(&ok);
            if (ok && uid >= 1000 && uid < 60000)
                c.userNames << QString::fromUtf8(f.at(0));
        }
    }
    return c;
}

QList<Redaction> planRedactions(const QList<BundleMember> &members, const RedactionContext &context)
{
    const Scanner scanner(context);
    QList<Redaction> plan;
    QHash<QString, int> index;
    QHash<RedactionKind, int> counters;
    for (const BundleMember &m : members) {
        const QString text = QString::fromUtf8(m.data);
        qsizetype lineStart = 0;
        int line = 1;
        for (const Match &hit : scanner.scan(text)) {
            line += int(QStringView(text).mid(lineStart, hit.start - lineStart).count(QLatin1Char('\n')));
            lineStart = hit.start;
            const QString k = key(hit.kind, hit.original);
            auto it = index.find(k);
            if (it == index.end()) {
                Redaction r;
                r.kind = hit.kind;
                r.original = hit.original;
                r.replacement = QLatin1Char('[') + tokenPrefix(hit.kind) + QLatin1Char('-')
                    + QString::number(++counters[hit.kind]) + QLatin1Char(']');
                plan.append(r);
                it = index.insert(k, int(plan.size() - 1));
            }
            Redaction &r = plan[*it];
            ++r.count;
            if (r.where.size() < 5)
                r.where << m.path + QLatin1Char(':') + QString::number(line);
        }
    }
    return plan;
}

QList<BundleMember> applyRedactions(const QList<BundleMember> &members, const QList<Redaction> &plan)
{
    if (plan.isEmpty())
        return members;
    RedactionContext c;
    QHash<QString, QString> replacement;
    for (const Redaction &r : plan) {
        replacement.insert(key(r.kind, r.original), r.replacement);
        if (r.kind == RedactionKind::HostName)
            c.hostNames << r.original;
        if (r.kind == RedactionKind::UserName)
            c.userNames << r.original;
    }
    const Scanner scanner(c);
    QList<BundleMember> out;
    out.reserve(members.size());
    for (const BundleMember &m : members) {
        const QString text = QString::fromUtf8(m.data);
        QString result;
        qsizetype pos = 0;
        for (const Match &hit : scanner.scan(text)) {
            const auto it = replacement.constFind(key(hit.kind, hit.original));
            if (it == replacement.constEnd())
                continue;
            if (result.isEmpty())
                result.reserve(text.size());
            result += QStringView(text).mid(pos, hit.start - pos);
            result += *it;
            pos = hit.start + hit.length;
        }
        if (pos == 0) {
            out.append(m);
            continue;
        }
        result += QStringView(text).mid(pos);
        out.append({m.path, result.toUtf8()});
    }
    return out;
}

QString describeRedactions(const QList<Redaction> &plan)
{
    if (plan.isEmpty())
        return QStringLiteral("nothing to redact\n");
    QString s;
    for (const Redaction &r : plan) {
        s += toString(r.kind) + QStringLiteral(": ") + r.original + QStringLiteral(" -> ") + r.replacement
            + QStringLiteral("  (") + QString::number(r.count)
            + (r.count == 1 ? QStringLiteral(" place: ") : QStringLiteral(" places: "))
            + r.where.join(QStringLiteral(", ")) + (r.count > r.where.size() ? QStringLiteral(", ...") : QString())
            + QStringLiteral(")\n");
    }
    return s;
}

} // namespace kmr::bundle
