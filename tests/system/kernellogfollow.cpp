// SPDX-License-Identifier: GPL-2.0-or-later
// kernellogfollow: the Kernel Log tab, offscreen, as a user would drive it where the kernel refuses
// a direct read of /dev/kmsg (kernel.dmesg_restrict=1). For tests/system/tst_kernellog_follow.cpp,
// which runs it as a test user on its private bus.
//
//   kernellogfollow [MARK [--until-refused [--resume FILE MARK2]]]
//
// Opens kmodrescue's main window on the live system (no module scan), so the tab is the one
// installKernelLogTab() wired up, and reports one line at a time on stdout:
//   direct: refused|read          whether the tab's own read of /dev/kmsg was refused
//   banner: TEXT                  what the banner says (every time it is reported)
//   bus: NAME                     its unique name on the system bus (the helper's log names callers so)
// Then clicks the banner's "Read Through the Helper…" and reports
//   refused                       the helper's answer was a refusal (banner and records follow)
//   helper-log: records=N last=SEQ
//   source: TEXT                  the line above the log that says where it comes from
// With MARK: ticks Follow, reports "following after=SEQ" and waits for a record whose message is
// MARK (written into the kernel log by the test once it reads that line):
//   mark: seq=SEQ
//   source: TEXT
// With --until-refused it goes on following until following stops with the banner showing why:
//   stopped: follow=on|off
//   banner: TEXT
// With --resume it then waits for FILE to exist (the test makes it once the helper can say yes
// again), ticks Follow again as a user would, and reports as above ("following again after=SEQ",
// "mark: seq=SEQ" for MARK2, "source: TEXT"), then "follow: on|off" and "banner: TEXT".
// Then "records: N" (what the tab's model holds). Exits 0, 5 when refused or stopped (and not
// resumed), 1 when something did not happen within a minute (a "failed: ..." line says what).
#include "kernellog/kernellogmodel.h"
#include "kernellog/kernellogtab.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QDBusConnection>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QThread>

#include <cstdio>
#include <functional>

using namespace kmr;

namespace {

constexpr int WaitMs = 60000;

void say(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout); // the test reads the lines as they come
}

bool waitFor(const std::function<bool()> &done)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > WaitMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(20);
    }
    return true;
}

template<typename W>
W *childWithText(QWidget *parent, const QString &text, Qt::FindChildOptions options = Qt::FindChildrenRecursively)
{
    for (W *w : parent->findChildren<W *>(QString(), options))
        if (w->text() == text || text.isEmpty())
            return w;
    return nullptr;
}

class Driver
{
public:
    explicit Driver(KernelLogTab *tab)
        : m_tab(tab)
        , m_helperButton(childWithText<QPushButton>(tab, QStringLiteral("Read Through the Helper…")))
        , m_follow(childWithText<QCheckBox>(tab, QStringLiteral("Follow")))
        , m_source(childWithText<QLabel>(tab, QString(), Qt::FindDirectChildrenOnly))
    { }

    bool complete() const { return m_helperButton && m_follow && m_source; }
    qsizetype records() const { return m_tab->logModel()->records().size(); }
    QString bannerText() const
    {
        const QLabel *l = m_helperButton->parentWidget()->findChild<QLabel *>();
        return l ? l->text() : QString();
    }
    void sayBanner() const
    {
        say(QStringLiteral("banner: ") + (m_tab->helperBannerVisible() ? bannerText() : QString()));
    }
    void saySource() const { say(QStringLiteral("source: ") + m_source->text()); }

    int readThroughHelper();
    int follow(const QStringList &args);

private:
    qint64 sequenceOf(const QString &message) const
    {
        for (const kernellog::KernelLogRecord &r : m_tab->logModel()->records())
            if (r.message == message)
                return r.sequence;
        return -1;
    }
    int followUntil(const QString &mark, const QString &announce);
    QString followState() const { return m_follow->isChecked() ? QStringLiteral("on") : QStringLiteral("off"); }
    int failed(const QString &what) const
    {
        say(QStringLiteral("failed: ") + what);
        sayBanner();
        say(QStringLiteral("records: %1").arg(records()));
        return 1;
    }

    KernelLogTab *m_tab;
    QPushButton *m_helperButton;
    QCheckBox *m_follow;
    QLabel *m_source;
};

// The user's click on the banner; the helper's answer is the log or a refusal in the banner.
int Driver::readThroughHelper()
{
    const QString before = bannerText();
    m_helperButton->click();
    if (!waitFor([&] { return records() > 0 || bannerText() != before; }))
        return failed(QStringLiteral("neither the log nor a refusal within a minute"));
    if (records() == 0) {
        say(QStringLiteral("refused"));
        sayBanner();
        say(QStringLiteral("records: 0"));
        return 5;
    }
    say(QStringLiteral("helper-log: records=%1 last=%2").arg(records()).arg(m_tab->lastSequence()));
    saySource();
    return 0;
}

// Ticks Follow and waits for the record `mark`.
int Driver::followUntil(const QString &mark, const QString &announce)
{
    const qint64 after = m_tab->lastSequence();
    m_follow->click();
    say(QStringLiteral("%1 after=%2").arg(announce).arg(after));
    if (!waitFor([&] { return sequenceOf(mark) >= 0 || !m_follow->isChecked(); }) || sequenceOf(mark) < 0)
        return failed(QStringLiteral("the mark did not show up within a minute"));
    say(QStringLiteral("mark: seq=%1").arg(sequenceOf(mark)));
    saySource();
    return 0;
}

int Driver::follow(const QStringList &args)
{
    if (const int rc = followUntil(args.at(0), QStringLiteral("following")); rc != 0)
        return rc;
    if (!args.contains(QLatin1String("--until-refused"))) {
        say(QStringLiteral("records: %1").arg(records()));
        return 0;
    }
    if (!waitFor([&] { return m_tab->helperBannerVisible(); }))
        return failed(QStringLiteral("following did not stop within a minute"));
    say(QStringLiteral("stopped: follow=") + followState());
    sayBanner();
    const qsizetype resume = args.indexOf(QLatin1String("--resume"));
    if (resume > 0 && resume + 2 < args.size()) {
        const QString when = args.at(resume + 1);
        if (!waitFor([&] { return QFileInfo::exists(when); }))
            return failed(QStringLiteral("%1 did not appear within a minute").arg(when));
        if (const int rc = followUntil(args.at(resume + 2), QStringLiteral("following again")); rc != 0)
            return rc;
        say(QStringLiteral("follow: ") + followState());
        sayBanner();
    }
    say(QStringLiteral("records: %1").arg(records()));
    return resume > 0 ? 0 : 5;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    MainWindow::Options options; // the live system, "/": the tab reads /dev/kmsg at once
    options.scanOnStart = false;
    MainWindow window(options);
    window.show();
    auto *tab = window.findChild<KernelLogTab *>();
    if (!tab) {
        say(QStringLiteral("failed: the main window has no Kernel Log tab"));
        return 1;
    }
    Driver driver(tab);
    if (!driver.complete()) {
        say(QStringLiteral("failed: the Kernel Log tab has no banner button, Follow box or source line"));
        return 1;
    }
    say(tab->helperBannerVisible() && driver.records() == 0 ? QStringLiteral("direct: refused")
                                                            : QStringLiteral("direct: read"));
    driver.sayBanner();
    say(QStringLiteral("bus: ") + QDBusConnection::systemBus().baseService());
    if (const int rc = driver.readThroughHelper(); rc != 0 || args.isEmpty())
        return rc;
    return driver.follow(args);
}
