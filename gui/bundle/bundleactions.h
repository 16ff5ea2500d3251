// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "bundle/bundlecontents.h"
#include "bundle/samplebundle.h"
#include "refcount/refcountjson.h"
#include "util/jobtracker.h"

#include <QObject>

class QAction;
class QLabel;
class QPushButton;
class QToolBar;

namespace kmr {

class MainWindow;

// File > Open Bundle… (a bundle or a sosreport tarball), Open Unpacked sosreport…, Open the Sample
// Bundle and Export Diagnostic Bundle… for the main window, and the read-only banner shown while
// a bundle or sosreport is open (for a sosreport it names what the report does not hold). Opening shows what the bundle
// recorded in the same views: its snapshot, its diagnoses (Diagnosis tab), its kernel log and crash reports (Kernel Log
// tab), its refcount history and trace (Refcount tab). Nothing privileged is offered: the module actions (Force
// Unload…) are disabled, with a tooltip saying why, until Back to Live System restores every view. Export carries this
// session's refcount history, the last trace and the unload results along.
//
// The menu's opens run on a worker thread (startOpen()): the archive is read, decompressed and parsed there, and only
// the parsed bundle is handed to the GUI thread, which shows it. Meanwhile the status bar says what is being opened
// and offers Cancel, and the open actions are disabled: a second open is refused until the first is shown, fails or
// is cancelled. What is shown stays as it is until the new bundle is fully parsed; a failed or cancelled open leaves
// it untouched.
class BundleActions : public QObject
{
    Q_OBJECT
public:
    explicit BundleActions(MainWindow *window);

    // Opens FILE (a bundle, a sosreport tarball or directory) into the window on a worker thread:
    // bundleOpened() once it is shown, openFailed() with the reader's message when it cannot be
    // (and, when `errorTitle` is given, a message box with that title says it too). Returns false,
    // starting nothing, while another open is in progress.
    bool startOpen(const QString &file, const QString &errorTitle = {});
    // Drops the open in progress (its result is never shown) and gives the open actions back.
    void cancelOpen();
    bool isOpening() const { return m_opening.isJobRunning(); }
    QString openingFile() const { return m_openingFile; }
    // Blocks until the started opens' workers have returned (tests, shutdown).
    void waitForOpenWorkers() { m_opening.waitForDone(); }
    QPushButton *cancelOpenButton() const { return m_cancelOpen; }

    // The same on the calling thread, returning when FILE is shown (true) or could not be read
    // (false with *error, the reader's message). An open in progress is dropped first.
    bool openBundle(const QString &file, QString *error);
    // The sample recorded in the lab (bundle/samplebundle.h), with its own banner; synchronous.
    bool openSample(QString *error);
    // Back to the live system (or the window's root): a fresh scan.
    void closeBundle();
    // An unload that ran in this session (UnloadDialog::recorded); the next export carries it.
    void addUnloadRecord(const QJsonObject &record);
    bool bundleOpen() const { return m_open; }
    bool showsSample() const { return m_open && bundle::isSampleBundle(m_file); }
    const bundle::BundleContents &contents() const { return m_contents; }

    QAction *exportAction() const { return m_export; }
    QAction *openDirectoryAction() const { return m_openDirectory; }
    QToolBar *banner() const { return m_banner; }
    QString bannerText() const;

Q_SIGNALS:
    void bundleOpened(const QString &file);
    void openFailed(const QString &file, const QString &error);
    void openCancelled(const QString &file);

private:
    struct ReadResult;
    static ReadResult readBundle(const QString &file, const std::function<bool()> &cancelled = {});
    void finishOpen(const QString &file, ReadResult r);
    void setOpening(const QString &file);
    void buildCancelButton();
    void chooseAndOpen();
    void chooseDirectoryAndOpen();
    void openChosen(const QString &path, const QString &title);
    static QString bannerFor(const QString &file, const bundle::BundleContents &c);
    void exportBundle();
    void attachRecordings(bundle::BundleContents *c, const RecordedTrace &trace) const;
    void show(const QString &file, bundle::BundleContents c);
    void showInTabs(const bundle::BundleContents &c, const QString &file);
    void onSnapshotChanged(const Snapshot &s);

    MainWindow *m_window;
    QAction *m_export;
    QString m_exportTip;
    QAction *m_openDirectory;
    QToolBar *m_banner;
    QLabel *m_bannerLabel;
    bool m_open = false;
    QString m_file;
    bundle::BundleContents m_contents;
    QList<QJsonObject> m_unloadRecords;
    QPushButton *m_cancelOpen = nullptr; // in the status bar while an open is in progress
    QString m_openingFile; // empty when no open is in progress
    QString m_openingMessage; // what the status bar says meanwhile
    QString m_errorTitle; // of the message box a failed open shows, empty for none
    JobTracker m_collect {this, 1}; // reading the evidence for an export, off the GUI thread
    JobTracker m_opening {this, 2}; // reading a bundle to show; two: a cancelled one may still be running
};

// Installs the actions and the banner into the window (called from MainWindow's constructor).
BundleActions *installBundleActions(MainWindow *window);

} // namespace kmr
