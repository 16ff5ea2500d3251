// SPDX-License-Identifier: GPL-2.0-or-later
// forceunloadclick: the GUI, offscreen, as a user would drive it. Opens kmodrescue's main window
// on the live system, selects MODULE, triggers "Force Unload…", ticks what the options say in the
// plan dialog, clicks "Force Unload" and waits for the helper's answer. For the lab (tests/vm).
//
//   forceunloadclick MODULE [--with-holders] [--override-real-use] [--helper-log]
// --helper-log first clicks the Kernel Log tab's "Read Through the Helper…" (where
// kernel.dmesg_restrict=1 refuses the user a direct read) and waits for the log.
// Prints the crash reports the plan's diagnosis cites ("cites: oops-N TITLE") and its warnings,
// the plan, then "gone" / "still loaded" / "refused: ..." / "failed: ..." and exits
// 0 gone, 1 still loaded or failed, 5 not authorized, 7 refused by the plan.
#include "kernellog/kernellogtab.h"
#include "kernellog/oopslistmodel.h"
#include "mainwindow.h"
#include "unload/unloaddialog.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QPushButton>
#include <QThread>
#include <QTimer>

#include <cstdio>

using namespace kmr;

// Clicks the Kernel Log tab's "Read Through the Helper…" and waits (two minutes at most) until
// the tab shows the log the helper read.
bool readLogThroughHelper(MainWindow &window)
{
    auto *tab = window.findChild<KernelLogTab *>();
    QPushButton *button = nullptr;
    for (QPushButton *b : tab ? tab->findChildren<QPushButton *>() : QList<QPushButton *>()) {
        if (b->text().startsWith(QLatin1String("Read Through the Helper")))
            button = b;
    }
    if (!button || !tab->helperBannerVisible()) {
        std::printf("failed: the Kernel Log tab offers no read through the helper (%s)\n",
            tab ? qPrintable(tab->bannerText()) : "no tab");
        return false;
    }
    button->click();
    for (int i = 0; i < 2400 && !tab->readsThroughHelper(); ++i) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        if (!tab->readsThroughHelper())
            QThread::msleep(50);
    }
    if (!tab->readsThroughHelper()) {
        std::printf("failed: the helper did not read the kernel log: %s\n", qPrintable(tab->bannerText()));
        return false;
    }
    std::printf("kernel log read through the helper: %d crash report(s)\n", int(tab->oopsModel()->rowCount()));
    return true;
}

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.isEmpty()) {
        std::fprintf(stderr, "usage: forceunloadclick MODULE [--with-holders] [--override-real-use]\n");
        return 2;
    }
    const QString module = args.at(0);
    MainWindow::Options options;
    MainWindow window(options);
    window.show();
    // The first scan starts from the event loop and its result arrives queued: turn the loop until
    // the module shows up (or a minute has passed).
    bool found = false;
    for (int i = 0; i < 600 && !found; ++i) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        window.waitForScans();
        QCoreApplication::processEvents();
        found = window.selectModule(module);
        if (!found)
            QThread::msleep(50);
    }
    if (!found) {
        std::printf("failed: %s is not in the module table\n", qPrintable(module));
        return 1;
    }
    if (args.contains(QLatin1String("--helper-log")) && !readLogThroughHelper(window))
        return 1;
    auto *action = window.findChild<QAction *>(QStringLiteral("forceUnloadAction"));
    if (!action || !action->isEnabled()) {
        std::printf("failed: the Force Unload action is %s\n", action ? "disabled" : "missing");
        return 1;
    }
    action->trigger();
    // The diagnosis runs off the GUI thread; the plan dialog opens when it is done.
    UnloadDialog *dialog = nullptr;
    for (int i = 0; i < 1200 && !dialog; ++i) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        dialog = window.findChild<UnloadDialog *>();
        if (!dialog)
            QThread::msleep(50);
    }
    if (!dialog) {
        std::printf("failed: no plan dialog opened\n");
        return 1;
    }
    const QList<QCheckBox *> boxes = dialog->findChildren<QCheckBox *>();
    for (QCheckBox *b : boxes) {
        if (args.contains(QLatin1String("--override-real-use")) && b == dialog->overrideBox())
            b->setChecked(true);
        if (args.contains(QLatin1String("--with-holders")) && dialog->plan().availableHolders.contains(b->text()))
            b->setChecked(true);
    }
    for (const Finding &f : dialog->diagnosis().findings) {
        for (const Evidence &e : f.evidence) {
            if (e.kind == Evidence::Kind::Oops)
                std::printf("cites: %s %s\n", qPrintable(e.oopsId), qPrintable(e.value));
        }
    }
    for (const QString &w : dialog->diagnosis().warnings)
        std::printf("warning: %s\n", qPrintable(w));
    for (const QString &l : dialog->plan().describe())
        std::printf("plan: %s\n", qPrintable(l));
    if (!dialog->runButton()->isEnabled()) {
        std::printf("refused: %s\n", qPrintable(dialog->plan().refusal));
        return 7;
    }
    int rc = 1;
    QObject::connect(dialog, &UnloadDialog::unloadDone, &app, [&](bool gone) {
        const QString text = dialog->resultText();
        for (QLabel *l : dialog->findChildren<QLabel *>())
            if (l->text().contains(QLatin1String("authoriz"), Qt::CaseInsensitive)
                || l->text().contains(QLatin1String("Refused")))
                std::printf("status: %s\n", qPrintable(l->text()));
        if (!text.isEmpty())
            std::printf("%s\n", qPrintable(text));
        rc = gone ? 0 : 1;
        // The helper's answer when it did not unload: its own plan (it sees every process, the
        // GUI running as the user may not) or polkit said no.
        for (QLabel *l : dialog->findChildren<QLabel *>()) {
            if (l->text().startsWith(QLatin1String("Not authorized")))
                rc = 5;
            else if (l->text().startsWith(QLatin1String("Refused")))
                rc = 7;
        }
        std::printf("%s\n", gone ? "gone" : "still loaded");
        app.quit();
    });
    dialog->runButton()->click();
    QTimer::singleShot(15 * 60 * 1000, &app, [&] {
        std::printf("failed: no answer within 15 minutes\n");
        app.exit(1);
    });
    app.exec();
    return rc;
}
