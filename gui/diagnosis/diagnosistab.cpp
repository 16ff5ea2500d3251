// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/diagnosistab.h"

#include "diagnosis/diagnosismodel.h"
#include "diagnosis/oopscitation.h"
#include "kernellog/kernellogtab.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

namespace kmr {

DiagnosisTab::DiagnosisTab(QWidget *parent)
    : QWidget(parent)
    , m_model(new DiagnosisModel(this))
{
    setObjectName(QStringLiteral("diagnosisTab"));
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(QStringLiteral("Select a module to see why it will not unload."), this);
    m_summary->setObjectName(QStringLiteral("diagnosisSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("diagnosisView"));
    m_view->setModel(m_model);
    m_view->setWordWrap(true);
    m_view->setUniformRowHeights(false);
    m_view->setAlternatingRowColors(true);
    m_view->setTextElideMode(Qt::ElideNone);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
}

DiagnosisTab::~DiagnosisTab() = default;

void DiagnosisTab::setSnapshot(const Snapshot &snapshot)
{
    m_snapshot = snapshot;
    rediagnose();
}

void DiagnosisTab::setModule(const QString &name)
{
    m_module = canonicalModuleName(name);
    rediagnose();
}

void DiagnosisTab::setOopses(const QList<OopsCitation> &oopses)
{
    m_oopses = oopses;
    m_haveOopses = true;
    rediagnose();
}

void DiagnosisTab::setReferenceTakers(const QHash<QString, QList<ReferenceTaker>> &takers)
{
    const bool affectsShown = takers.value(m_module) != m_takers.value(m_module);
    m_takers = takers;
    if (affectsShown)
        rediagnose();
}

void DiagnosisTab::setRecorded(const QList<Diagnosis> &diagnoses, const QHash<QString, QStringList> &unloads)
{
    m_recorded = diagnoses;
    m_recordedUnloads = unloads;
    m_showRecorded = true;
    rediagnose();
}

void DiagnosisTab::clearRecorded()
{
    m_recorded.clear();
    m_recordedUnloads.clear();
    m_showRecorded = false;
    rediagnose();
}

void DiagnosisTab::rediagnose()
{
    if (m_module.isEmpty()) {
        m_jobs.cancel();
        m_model->setDiagnosis({});
        m_summary->setText(QStringLiteral("Select a module to see why it will not unload."));
        return;
    }
    if (m_showRecorded) {
        for (const Diagnosis &d : std::as_const(m_recorded)) {
            if (d.module == m_module) {
                m_jobs.cancel(); // an older computed diagnosis must not replace the recorded one
                showDiagnosis(d, QStringLiteral("Recorded with the bundle, on the machine it comes from."));
                return;
            }
        }
    }
    m_summary->setText(QStringLiteral("Diagnosing %1\u2026").arg(m_module));
    const Snapshot snapshot = m_snapshot;
    const QString module = m_module;
    const QString root = m_root;
    const bool haveOopses = m_haveOopses;
    const QList<OopsCitation> given = m_oopses;
    const QHash<QString, QList<ReferenceTaker>> takers = m_takers;
    m_jobs.startJob(
        [snapshot, module, root, haveOopses, given, takers](const std::function<bool()> &) {
            Diagnoser::Options o;
            o.root = root.isEmpty() ? QStringLiteral("/") : root;
            o.scanSystem = !root.isEmpty();
            Diagnoser diagnoser(snapshot, o);
            QString why;
            bool refused = false;
            const QList<OopsCitation> oopses
                = haveOopses || root.isEmpty() ? given : readOopsCitations(o.root, {}, &why, &refused);
            if (refused)
                why = KernelLogTab::refusedLogAdvice();
            diagnoser.setOopses(oopses);
            diagnoser.setReferenceTakers(takers);
            Diagnosis d = diagnoser.diagnose(module);
            if (!why.isEmpty())
                d.warnings << why;
            return d;
        },
        [this, recorded = m_showRecorded](const Diagnosis &d) {
            showDiagnosis(d,
                recorded ? QStringLiteral("Not recorded with the bundle: worked out here from its snapshot and "
                                          "kernel log, without that machine's processes and open files.")
                         : QString());
        });
}

void DiagnosisTab::showDiagnosis(const Diagnosis &d, const QString &origin)
{
    m_model->setDiagnosis(d);
    // Sentences and what to do are visible at once; the evidence stays one click away.
    for (int r = 0; r < m_model->rowCount(); ++r)
        m_view->expand(m_model->index(r, 0));
    QString summary;
    if (!d.loaded)
        summary = QStringLiteral("%1 is not loaded.").arg(d.module);
    else if (d.stuck())
        summary = QStringLiteral("%1 is stuck (%2, refcount %3). Blockers are listed first.")
                      .arg(d.module, toString(d.state), QString::number(d.refcount));
    else
        summary = QStringLiteral("Nothing keeps %1 loaded (%2, refcount %3).")
                      .arg(d.module, toString(d.state), QString::number(d.refcount));
    // The plain sentences in full first (the tree below elides long rows); evidence is in the tree.
    for (const Finding &f : d.findings) {
        if (f.severity == Severity::Info && f.kind != FindingKind::Unloadable)
            continue;
        summary += QStringLiteral("\n\u2022 ") + f.sentence;
        if (!f.remedy.isEmpty())
            summary += QStringLiteral("\n   What to do: ") + f.remedy;
    }
    for (const QString &w : d.warnings)
        summary += QStringLiteral("\nNote: ") + w;
    if (!origin.isEmpty())
        summary = origin + QLatin1Char('\n') + summary;
    const QStringList unloads = m_showRecorded ? m_recordedUnloads.value(d.module) : QStringList();
    if (!unloads.isEmpty())
        summary += QStringLiteral("\n\nAn unload was tried on that machine:\n") + unloads.join(QLatin1Char('\n'));
    m_summary->setText(summary);
    Q_EMIT diagnosisReady(d);
}

} // namespace kmr
