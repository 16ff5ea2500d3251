// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundleactions.h"

#include "diagnosis/diagnosistab.h"
#include "diagnosis/oopscitation.h"
#include "exportbundledialog.h"
#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>
#include <QToolBar>

namespace kmr {

BundleActions::BundleActions(MainWindow *window)
    : QObject(window)
    , m_window(window)
{
    setObjectName(QStringLiteral("bundleActions"));
    QAction *open = window->openBundleAction();
    open->setVisible(true);
    open->setToolTip(QStringLiteral("Open a diagnostic bundle exported on another machine (read-only)"));
    connect(open, &QAction::triggered, this, &BundleActions::chooseAndOpen);

    m_export = new QAction(QStringLiteral("&Export Diagnostic Bundle…"), this);
    m_export->setObjectName(QStringLiteral("actionExportBundle"));
    m_export->setToolTip(
        QStringLiteral("Write everything about the selected (or every stuck) module to a .tar.gz, redacted"));
    connect(m_export, &QAction::triggered, this, &BundleActions::exportBundle);
    QMenu *file = window->fileMenu();
    const QList<QAction *> actions = file->actions();
    file->insertAction(actions.size() > 2 ? actions.at(2) : nullptr, m_export);

    m_banner = new QToolBar(QStringLiteral("Bundle"), window);
    m_banner->setObjectName(QStringLiteral("bundleBanner"));
    m_banner->setMovable(false);
    m_banner->setFloatable(false);
    m_bannerLabel = new QLabel(m_banner);
    m_bannerLabel->setObjectName(QStringLiteral("bundleBannerText"));
    m_banner->addWidget(m_bannerLabel);
    QAction *back = m_banner->addAction(QStringLiteral("Back to Live System"));
    back->setObjectName(QStringLiteral("actionCloseBundle"));
    connect(back, &QAction::triggered, this, &BundleActions::closeBundle);
    window->addToolBarBreak(Qt::TopToolBarArea);
    window->addToolBar(Qt::TopToolBarArea, m_banner);
    m_banner->hide();

    connect(window, &MainWindow::snapshotChanged, this, &BundleActions::onSnapshotChanged);
}

QString BundleActions::bannerText() const
{
    return m_bannerLabel->text();
}

bool BundleActions::openBundle(const QString &file, QString *error)
{
    bundle::BundleContents c;
    bundle::BundleError kind = bundle::BundleError::None;
    if (!bundle::openBundle(file, &c, &kind, error))
        return false;
    m_contents = c;
    m_open = true;
    // Read-only: nothing privileged is offered for another machine's modules.
    for (QAction *a : m_window->moduleMenu()->actions())
        a->setVisible(false);
    m_export->setEnabled(false);
    if (auto *tab = m_window->findChild<DiagnosisTab *>()) {
        tab->setRoot(QString()); // no scan of this machine: the evidence is the bundle's
        tab->setOopses(citationsFromExcerpts(c.oopses));
    }
    m_bannerLabel->setText(
        QStringLiteral("Read-only bundle %1 · kernel %2 · exported %3%4. Nothing on this machine is changed.")
            .arg(file, c.snapshot.kernel.release.display(), c.manifest.value(QStringLiteral("created")).toString(),
                c.manifest.value(QStringLiteral("redacted")).toBool() ? QStringLiteral(", redacted") : QString()));
    m_banner->show();
    m_window->setSnapshot(c.snapshot);
    return true;
}

void BundleActions::closeBundle()
{
    if (!m_open)
        return;
    m_open = false;
    m_banner->hide();
    for (QAction *a : m_window->moduleMenu()->actions())
        a->setVisible(true);
    m_export->setEnabled(true);
    if (auto *tab = m_window->findChild<DiagnosisTab *>())
        tab->setRoot(m_window->root());
    m_window->refresh();
}

void BundleActions::onSnapshotChanged(const Snapshot &s)
{
    if (m_open && !s.source.startsWith(QLatin1String("bundle:")))
        closeBundle(); // a Refresh scanned the live system again
}

void BundleActions::chooseAndOpen()
{
    const QString file = QFileDialog::getOpenFileName(m_window, QStringLiteral("Open Diagnostic Bundle"), QString(),
        QStringLiteral("Bundles (*.tar.gz);;All files (*)"));
    if (file.isEmpty())
        return;
    QString error;
    if (!openBundle(file, &error))
        QMessageBox::warning(m_window, QStringLiteral("Open Diagnostic Bundle"), error);
}

void BundleActions::exportBundle()
{
    bundle::CollectOptions o;
    o.root = m_window->root();
    if (!m_window->currentModule().isEmpty())
        o.modules = QStringList {m_window->currentModule()};
    m_export->setEnabled(false);
    m_window->statusBar()->showMessage(QStringLiteral("Collecting the evidence for the bundle\u2026"));
    m_collect.startJob([o](const std::function<bool()> &) { return bundle::collectBundleContents(o); },
        [this, root = o.root](const bundle::BundleContents &c) {
            m_window->statusBar()->clearMessage();
            m_export->setEnabled(!m_open);
            ExportBundleDialog dialog(c, bundle::RedactionContext::fromRoot(root), m_window);
            dialog.exec();
        });
}

BundleActions *installBundleActions(MainWindow *window)
{
    return new BundleActions(window);
}

} // namespace kmr
