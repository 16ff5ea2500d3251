// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "bundle/bundlecontents.h"
#include "bundle/samplebundle.h"
#include "refcount/refcountjson.h"
#include "util/jobtracker.h"

#include <QObject>

class QAction;
class QLabel;
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
class BundleActions : public QObject
{
    Q_OBJECT
public:
    explicit BundleActions(MainWindow *window);

    // Opens FILE (a bundle, a sosreport tarball or directory) into the window; false with *error
    // (the reader's message) when it cannot.
    bool openBundle(const QString &file, QString *error);
    // The sample recorded in the lab (bundle/samplebundle.h), with its own banner.
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

private:
    void chooseAndOpen();
    void chooseDirectoryAndOpen();
    void openChosen(const QString &path, const QString &title);
    static QString bannerFor(const QString &file, const bundle::BundleContents &c);
    void exportBundle();
    void attachRecordings(bundle::BundleContents *c, const RecordedTrace &trace) const;
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
    JobTracker m_collect {this, 1}; // reading the evidence for an export, off the GUI thread
};

// Installs the actions and the banner into the window (called from MainWindow's constructor).
BundleActions *installBundleActions(MainWindow *window);

} // namespace kmr
