// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "bundle/bundlecontents.h"
#include "util/jobtracker.h"

#include <QObject>

class QAction;
class QLabel;
class QToolBar;

namespace kmr {

class MainWindow;

// File > Open Bundle… and File > Export Diagnostic Bundle… for the main window, and the
// read-only banner shown while a bundle is open. Opening shows the bundle's snapshot, its
// recorded diagnoses and kernel log excerpts in the same views, with nothing privileged offered
// (the module actions such as Force Unload are hidden until the live system is shown again).
class BundleActions : public QObject
{
    Q_OBJECT
public:
    explicit BundleActions(MainWindow *window);

    // Opens FILE into the window; false with *error (the reader's message) when it cannot.
    bool openBundle(const QString &file, QString *error);
    // Back to the live system (or the window's root): a fresh scan.
    void closeBundle();
    bool bundleOpen() const { return m_open; }
    const bundle::BundleContents &contents() const { return m_contents; }

    QAction *exportAction() const { return m_export; }
    QToolBar *banner() const { return m_banner; }
    QString bannerText() const;

private:
    void chooseAndOpen();
    void exportBundle();
    void onSnapshotChanged(const Snapshot &s);

    MainWindow *m_window;
    QAction *m_export;
    QToolBar *m_banner;
    QLabel *m_bannerLabel;
    bool m_open = false;
    bundle::BundleContents m_contents;
    JobTracker m_collect {this, 1}; // reading the evidence for an export, off the GUI thread
};

// Installs the actions and the banner into the window (called from MainWindow's constructor).
BundleActions *installBundleActions(MainWindow *window);

} // namespace kmr
