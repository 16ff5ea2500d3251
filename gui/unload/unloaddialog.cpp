// SPDX-License-Identifier: GPL-2.0-or-later
#include "unload/unloaddialog.h"

#include "diagnosis/unloadjson.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace kmr {

UnloadDialog::UnloadDialog(const Diagnosis &diagnosis, const KernelFacts &kernel, QWidget *parent)
    : QDialog(parent)
    , m_diagnosis(diagnosis)
    , m_kernel(kernel)
{
    setWindowTitle(QStringLiteral("Force Unload %1").arg(diagnosis.module));
    auto *layout = new QVBoxLayout(this);
    const UnloadRequest defaults = defaultUnloadRequest(diagnosis, kernel);
    const UnloadPlan all = planUnload(diagnosis, kernel, UnloadRequest {diagnosis.module, {}, AllUnloadSteps, true});

    if (!all.availableHolders.isEmpty()) {
        auto *box = new QGroupBox(QStringLiteral("Unload these holders first (deepest first)"), this);
        auto *v = new QVBoxLayout(box);
        for (const QString &h : all.availableHolders) {
            auto *c = new QCheckBox(h, box);
            m_holders << c;
            v->addWidget(c);
            connect(c, &QCheckBox::toggled, this, &UnloadDialog::updatePlan);
        }
        layout->addWidget(box);
    }
    auto *steps = new QGroupBox(QStringLiteral("Steps, tried in order until the module is gone"), this);
    auto *sv = new QVBoxLayout(steps);
    auto box = [&](const QString &text, quint32 bit) {
        auto *c = new QCheckBox(text, steps);
        c->setChecked(defaults.steps & bit);
        sv->addWidget(c);
        connect(c, &QCheckBox::toggled, this, &UnloadDialog::updatePlan);
        return c;
    };
    m_plain = box(QStringLiteral("Plain rmmod"), StepPlainRmmod);
    m_force = box(QStringLiteral("The kernel's forced unload (rmmod -f)"), StepKernelForce);
    m_refcount = box(QStringLiteral("Fixer: reset the reference count"), StepFixerRefcount);
    m_state = box(QStringLiteral("Fixer: set the state Live"), StepFixerState);
    m_exit = box(
        QStringLiteral("Fixer: replace the exit with a stub (the module's own exit does not run)"), StepFixerExit);
    layout->addWidget(steps);

    m_override = new QCheckBox(
        QStringLiteral("Unload it anyway, although it is really in use (what uses it may crash)"), this);
    m_override->setVisible(all.realUse);
    connect(m_override, &QCheckBox::toggled, this, &UnloadDialog::updatePlan);
    layout->addWidget(m_override);

    m_planText = new QLabel(this);
    m_planText->setWordWrap(true);
    m_planText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_planText);
    m_taint = new QLabel(
        QStringLiteral("<b>The kernel will be tainted</b> (R: forced module removal), as after rmmod -f."), this);
    layout->addWidget(m_taint);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0);
    m_progress->hide();
    layout->addWidget(m_progress);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_result = new QPlainTextEdit(this);
    m_result->setReadOnly(true);
    m_result->hide();
    layout->addWidget(m_result);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_run = m_buttons->addButton(QStringLiteral("Force Unload"), QDialogButtonBox::AcceptRole);
    m_stopWaiting = m_buttons->addButton(QStringLiteral("Stop Waiting"), QDialogButtonBox::ActionRole);
    m_stopWaiting->hide();
    layout->addWidget(m_buttons);
    connect(m_run, &QPushButton::clicked, this, &UnloadDialog::run);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_stopWaiting, &QPushButton::clicked, this, [this] {
        m_client->cancel();
        m_progress->hide();
        m_stopWaiting->hide();
        m_status->setText(QStringLiteral("Stopped waiting. Whatever the helper had already started still completes: "
                                         "refresh the module list to see the outcome."));
        Q_EMIT unloadDone(false);
    });

    m_client = new HelperClient(this);
    connect(m_client, &HelperClient::unloadFinished, this, &UnloadDialog::showResult);
    connect(m_client, &HelperClient::failed, this, &UnloadDialog::showFailure);
    updatePlan();
}

UnloadRequest UnloadDialog::request() const
{
    UnloadRequest r;
    r.module = m_diagnosis.module;
    for (QCheckBox *c : m_holders)
        if (c->isChecked())
            r.holders << c->text();
    r.steps = 0;
    const QList<QPair<QCheckBox *, quint32>> bits {{m_plain, StepPlainRmmod}, {m_force, StepKernelForce},
        {m_refcount, StepFixerRefcount}, {m_state, StepFixerState}, {m_exit, StepFixerExit}};
    for (const auto &b : bits)
        if (b.first->isChecked())
            r.steps |= b.second;
    if (!r.holders.isEmpty())
        r.steps |= StepHoldersFirst;
    r.overrideRealUse = m_override->isChecked();
    return r;
}

void UnloadDialog::updatePlan()
{
    m_plan = planUnload(m_diagnosis, m_kernel, request());
    QString html;
    if (m_plan.refused) {
        html = QStringLiteral("<p><b>Refused:</b> %1</p><p><b>How to go on:</b> %2</p>")
                   .arg(m_plan.refusal.toHtmlEscaped(), m_plan.howToGoOn.toHtmlEscaped());
    } else {
        html = QStringLiteral("<ol>");
        for (const PlannedStep &s : std::as_const(m_plan.steps))
            html += QStringLiteral("<li>%1 <i>(risk: %2)</i><br/>%3</li>")
                        .arg(s.action.toHtmlEscaped(), toString(s.risk), s.riskText.toHtmlEscaped());
        html += QStringLiteral("</ol>");
    }
    for (const QString &n : std::as_const(m_plan.notes))
        html += QStringLiteral("<p>Note: %1</p>").arg(n.toHtmlEscaped());
    m_planText->setText(html);
    m_taint->setVisible(m_plan.taintsKernel());
    m_run->setEnabled(!m_plan.refused && !m_client->busy());
}

void UnloadDialog::run()
{
    if (m_plan.refused)
        return;
    m_run->setEnabled(false);
    m_progress->show();
    m_stopWaiting->show();
    m_result->hide();
    m_status->setText(QStringLiteral("Waiting for authorization and for the helper…"));
    m_client->unload(request());
}

QString UnloadDialog::resultText() const
{
    return m_result->toPlainText();
}

void UnloadDialog::showResult(const UnloadResult &r)
{
    m_progress->hide();
    m_stopWaiting->hide();
    m_gone = r.gone;
    m_status->setText(r.gone
            ? QStringLiteral("<b>%1 is gone.</b>").arg(m_diagnosis.module)
            : QStringLiteral("<b>%1 is still loaded</b> (state %2).").arg(m_diagnosis.module, r.finalState));
    QStringList lines;
    for (const UnloadStepResult &s : r.steps)
        lines << QStringLiteral("%1 %2: %3 — %4").arg(s.step, s.module, s.outcome, s.detail);
    if (!r.kernelLog.isEmpty())
        lines << QString() << QStringLiteral("Kernel log:") << r.kernelLog;
    m_result->setPlainText(lines.join(QLatin1Char('\n')));
    m_result->show();
    m_run->setEnabled(!r.gone);
    Q_EMIT recorded(unloadRecordJson(m_plan, &r));
    Q_EMIT unloadDone(r.gone);
}

void UnloadDialog::showFailure(const HelperFailure &f)
{
    m_progress->hide();
    m_stopWaiting->hide();
    m_status->setText(f.text().toHtmlEscaped());
    m_run->setEnabled(!m_plan.refused);
    Q_EMIT recorded(unloadRecordJson(m_plan, nullptr, f.text()));
    Q_EMIT unloadDone(false);
}

} // namespace kmr
