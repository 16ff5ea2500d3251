// SPDX-License-Identifier: GPL-2.0-or-later
#include "tracesession.h"

#include "util/fileread.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcTrace, "kmr.helper.trace", QtInfoMsg)

namespace kmr {

namespace {

constexpr char kGroup[] = "kmodrescue";
const QByteArray kEprobeGet
    = QByteArrayLiteral("e:kmodrescue/kmr_get module/module_get ip=$ip:x64 refcnt=$refcnt:s32 name=$name:string");
const QByteArray kEprobePut
    = QByteArrayLiteral("e:kmodrescue/kmr_put module/module_put ip=$ip:x64 refcnt=$refcnt:s32 name=$name:string");

QString errnoText(const QString &path, int err)
{
    return path + QStringLiteral(": ") + QString::fromLocal8Bit(strerror(err));
}

// Writes data to a tracefs control file. append: O_APPEND (dynamic_events: a truncating open
// would delete every dynamic event on the system, not only ours).
bool writeControl(const QString &path, const QByteArray &data, QString *why, bool append = false)
{
    const QByteArray p = QFile::encodeName(path);
    const int fd = ::open(p.constData(), O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
    if (fd < 0) {
        if (why)
            *why = errnoText(path, errno);
        return false;
    }
    const ssize_t n = ::write(fd, data.constData(), size_t(data.size()));
    const int err = errno;
    ::close(fd);
    if (n != data.size()) {
        if (why)
            *why = errnoText(path, n < 0 ? err : EIO) + QStringLiteral(" (writing '")
                + QString::fromUtf8(data.trimmed()) + QStringLiteral("')");
        return false;
    }
    return true;
}

QByteArray readControl(const QString &path)
{
    QByteArray out;
    QString why;
    readSmallFile(path, &out, &why);
    return out;
}

bool removeOurEprobes(const QString &tracefs, QString *why)
{
    const QString dyn = tracefs + QStringLiteral("/dynamic_events");
    const QByteArray now = readControl(dyn);
    bool ok = true;
    for (const char *ev : {"kmr_get", "kmr_put"}) {
        const QByteArray tag = QByteArray("e:") + kGroup + '/' + ev + ' ';
        if (!now.contains(tag))
            continue;
        if (!writeControl(dyn, QByteArray("-:") + kGroup + '/' + ev + '\n', why, true))
            ok = false;
    }
    return ok;
}

} // namespace

TraceSession::TraceSession()
    : TraceSession(Options {})
{ }

TraceSession::TraceSession(Options options)
    : m_options(std::move(options))
{ }

TraceSession::~TraceSession()
{
    stop();
}

QString TraceSession::instanceDir() const
{
    return m_options.tracefs + QStringLiteral("/instances/") + m_options.instance;
}

QString TraceSession::unavailableReason(const Options &o)
{
    QByteArray lockdown;
    QString ignored;
    if (readSmallFile(joinRoot(o.root, QStringLiteral("/sys/kernel/security/lockdown")), &lockdown, &ignored)
        && lockdown.contains("[confidentiality]")) {
        return QStringLiteral("the kernel is locked down in confidentiality mode, which forbids tracefs: "
                              "refcount tracing is not possible on this boot (sampling of the refcount still works; "
                              "boot with lockdown=integrity or none to trace)");
    }
    if (!QFile::exists(o.tracefs + QStringLiteral("/instances"))) {
        return QStringLiteral("tracefs is not available at %1: mount it (mount -t tracefs nodev %1) or use a kernel "
                              "built with CONFIG_FTRACE (sampling of the refcount still works)")
            .arg(o.tracefs);
    }
    if (!QFile::exists(o.tracefs + QStringLiteral("/events/module/module_get"))) {
        return QStringLiteral("this kernel has no module:module_get tracepoint (CONFIG_MODULES without tracing "
                              "support); sampling of the refcount still works");
    }
    return {};
}

bool TraceSession::removeStale(const Options &o, QString *why)
{
    const QString dir = o.tracefs + QStringLiteral("/instances/") + o.instance;
    bool ok = true;
    if (QFileInfo::exists(dir)) {
        qCInfo(lcTrace) << "removing the trace instance" << dir;
        // rmdir of an instance disables its events and triggers (the eprobes' hooks) with it.
        if (::rmdir(QFile::encodeName(dir).constData()) != 0) {
            if (why)
                *why = errnoText(dir, errno);
            ok = false;
        }
    }
    QString e;
    if (QFile::exists(o.tracefs + QStringLiteral("/dynamic_events")) && !removeOurEprobes(o.tracefs, &e)) {
        if (why && ok)
            *why = e;
        ok = false;
    }
    return ok;
}

bool TraceSession::start(const QString &moduleIn, QString *why)
{
    if (isActive()) {
        *why = QStringLiteral("a trace of %1 is already running").arg(m_module);
        return false;
    }
    // Module names reach a tracefs filter: allow only what a module name may hold.
    QString module = moduleIn;
    module.replace(QLatin1Char('-'), QLatin1Char('_'));
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_]{1,55}$"));
    if (!valid.match(module).hasMatch()) {
        *why = QStringLiteral("'%1' is not a module name ([A-Za-z0-9_-], at most 55 bytes)").arg(moduleIn);
        return false;
    }
    const QString reason = unavailableReason(m_options);
    if (!reason.isEmpty()) {
        *why = reason;
        return false;
    }
    if (!removeStale(m_options, why))
        return false;

    QString err;
    m_resolve = m_kallsyms.load(m_options.root, &err);
    if (!m_resolve)
        qCWarning(lcTrace) << "call sites stay unresolved:" << err;

    // Event probes first (raw ip on every kernel we know), then "fields", then plain events.
    const QString dyn = m_options.tracefs + QStringLiteral("/dynamic_events");
    m_mode = Mode::Plain;
    if (QFile::exists(dyn) && writeControl(dyn, kEprobeGet + '\n', &err, true)
        && writeControl(dyn, kEprobePut + '\n', &err, true)) {
        m_mode = Mode::Eprobe;
    } else {
        qCInfo(lcTrace) << "no event probes here:" << err;
        removeOurEprobes(m_options.tracefs, nullptr);
    }

    const QString dir = instanceDir();
    if (::mkdir(QFile::encodeName(dir).constData(), 0700) != 0) {
        *why = errnoText(dir, errno) + (errno == EPERM ? QStringLiteral(" (kernel lockdown?)") : QString());
        removeOurEprobes(m_options.tracefs, nullptr);
        return false;
    }
    auto fail = [&](const QString &text) {
        *why = text;
        stop();
        return false;
    };
    if (m_mode == Mode::Plain && QFile::exists(dir + QStringLiteral("/options/fields"))
        && writeControl(dir + QStringLiteral("/options/fields"), "1\n", nullptr)) {
        m_mode = Mode::Fields;
    }
    if (m_options.bufferSizeKb > 0
        && !writeControl(
            dir + QStringLiteral("/buffer_size_kb"), QByteArray::number(m_options.bufferSizeKb) + '\n', &err))
        return fail(err);

    const QByteArray filter = "name == \"" + module.toUtf8() + "\"\n";
    const QStringList events = m_mode == Mode::Eprobe
        ? QStringList {QStringLiteral("kmodrescue/kmr_get"), QStringLiteral("kmodrescue/kmr_put")}
        : QStringList {QStringLiteral("module/module_get"), QStringLiteral("module/module_put")};
    for (const QString &ev : events) {
        const QString base = dir + QStringLiteral("/events/") + ev;
        if (!writeControl(base + QStringLiteral("/filter"), filter, &err))
            return fail(err);
        if (!writeControl(base + QStringLiteral("/enable"), "1\n", &err))
            return fail(err);
    }
    const QString pipe = dir + QStringLiteral("/trace_pipe");
    m_fd = ::open(QFile::encodeName(pipe).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd < 0)
        return fail(errnoText(pipe, errno));
    m_module = module;
    qCInfo(lcTrace) << "tracing" << module << "mode" << int(m_mode) << "kallsyms" << m_kallsyms.size();
    return true;
}

QList<QByteArray> TraceSession::readLines(QString *why)
{
    QList<QByteArray> lines;
    if (m_fd < 0)
        return lines;
    char buf[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(m_fd, buf, sizeof buf);
        if (n > 0) {
            m_partial.append(buf, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && why)
            *why = errnoText(instanceDir() + QStringLiteral("/trace_pipe"), errno);
        break;
    }
    qsizetype start = 0;
    for (qsizetype nl; (nl = m_partial.indexOf('\n', start)) >= 0; start = nl + 1)
        lines.append(m_partial.sliced(start, nl - start));
    m_partial.remove(0, start);
    return lines;
}

QList<TraceEvent> TraceSession::read(QString *why)
{
    QList<TraceEvent> events;
    const QList<QByteArray> lines = readLines(why);
    events.reserve(lines.size());
    for (const QByteArray &line : lines) {
        TraceEvent e;
        if (!m_parser.parseLine(line, &e))
            continue;
        if (e.ip && m_resolve) {
            auto it = m_resolved.constFind(e.ip);
            if (it == m_resolved.cend())
                it = m_resolved.insert(e.ip, m_kallsyms.resolve(e.ip));
            if (!it->isEmpty())
                e.callSite = *it;
        }
        events.append(std::move(e));
    }
    return events;
}

qint64 TraceSession::overruns() const
{
    qint64 total = 0;
    const QDir perCpu(instanceDir() + QStringLiteral("/per_cpu"));
    for (const QString &cpu : perCpu.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QByteArray stats = readControl(perCpu.filePath(cpu) + QStringLiteral("/stats"));
        for (const QByteArray &line : stats.split('\n')) {
            if (line.startsWith("overrun:"))
                total += line.mid(8).trimmed().toLongLong();
        }
    }
    return total;
}

void TraceSession::stop()
{
    const QString dir = instanceDir();
    const bool ours = m_fd >= 0 || QFileInfo::exists(dir);
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!ours)
        return;
    for (const char *ev : {"kmodrescue/kmr_get", "kmodrescue/kmr_put", "module/module_get", "module/module_put"}) {
        const QString en = dir + QStringLiteral("/events/") + QLatin1String(ev) + QStringLiteral("/enable");
        if (QFile::exists(en))
            writeControl(en, "0\n", nullptr);
    }
    QString why;
    if (!removeStale(m_options, &why))
        qCWarning(lcTrace) << "could not put tracefs back as it was:" << why;
    m_partial.clear();
    m_module.clear();
    m_resolved.clear();
}

} // namespace kmr
