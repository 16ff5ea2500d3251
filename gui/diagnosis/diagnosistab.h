// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "diagnosis/diagnosis.h"
#include "util/jobtracker.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QTreeView;

namespace kmr {

class DiagnosisModel;

// The Diagnosis tab: why the selected module will not unload. Plain sentences first (blockers on
// top), each with "What to do" under it and its evidence one click away.
//
// The diagnosis runs off the GUI thread (it scans /proc for open files); a newer request always
// wins over an older one (JobTracker).
class DiagnosisTab : public QWidget
{
    Q_OBJECT
public:
    explicit DiagnosisTab(QWidget *parent = nullptr);
    ~DiagnosisTab() override;

    // Where the system scan reads /proc and /sys ("/" or a fixture root); empty: no scan (bundles).
    void setRoot(const QString &root) { m_root = root; }
    DiagnosisModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    bool isBusy() const { return m_jobs.isJobRunning(); }
    void waitForDone() { m_jobs.waitForDone(); }

public Q_SLOTS:
    void setSnapshot(const kmr::Snapshot &snapshot);
    void setModule(const QString &name);
    // Oops excerpts from the kernel log (the Kernel Log tab, a bundle). Without them the tab reads
    // the log itself where it may, and says so when it may not.
    void setOopses(const QList<kmr::OopsCitation> &oopses);
    // Who took the references each module still holds, by module (the Refcount tab's trace through
    // ReferenceTakerFeed): a leak's finding names those call sites. Re-diagnoses only when the
    // selected module's takers change.
    void setReferenceTakers(const QHash<QString, QList<kmr::ReferenceTaker>> &takers);
    // A bundle's diagnoses, as recorded on its machine: shown as they are for those modules
    // (with the processes and open files only that machine could see). Other modules are
    // diagnosed from the bundle's snapshot, without a system scan, and say so.
    // unloads: the unloads tried on that machine, in words, by module (shown under its diagnosis).
    void setRecorded(const QList<kmr::Diagnosis> &diagnoses, const QHash<QString, QStringList> &unloads = {});
    // Back to diagnosing here (the live system).
    void clearRecorded();

Q_SIGNALS:
    void diagnosisReady(const kmr::Diagnosis &diagnosis);

private:
    void rediagnose();
    void showDiagnosis(const Diagnosis &d, const QString &origin = {});

    Snapshot m_snapshot;
    QString m_module;
    QString m_root = QStringLiteral("/");
    QList<OopsCitation> m_oopses;
    bool m_haveOopses = false;
    QHash<QString, QList<ReferenceTaker>> m_takers;
    bool m_showRecorded = false;
    QList<Diagnosis> m_recorded;
    QHash<QString, QStringList> m_recordedUnloads;
    QLabel *m_summary = nullptr;
    QTreeView *m_view = nullptr;
    DiagnosisModel *m_model = nullptr;
    JobTracker m_jobs {this, 1};
};

} // namespace kmr
