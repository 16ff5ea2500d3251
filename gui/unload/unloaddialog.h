// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "diagnosis/unloadplan.h"
#include "helperclient/helperclient.h"
#include "snapshot/moduleinfo.h"

#include <QDialog>
#include <QJsonObject>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QVBoxLayout;

namespace kmr {

// Force Unload: the plan (steps, risks, "the kernel will be tainted"), the choices the user
// makes (holders to unload first, the rungs of the ladder, the explicit override for a module
// really in use), progress while the helper works (the wait can be cancelled), and the result
// with the kernel log lines it caused.
class UnloadDialog : public QDialog
{
    Q_OBJECT
public:
    UnloadDialog(const Diagnosis &diagnosis, const KernelFacts &kernel, QWidget *parent = nullptr);

    UnloadRequest request() const;
    const UnloadPlan &plan() const { return m_plan; }
    const Diagnosis &diagnosis() const { return m_diagnosis; }
    QPushButton *runButton() const { return m_run; }
    QCheckBox *overrideBox() const { return m_override; }
    QString resultText() const;
    bool moduleGone() const { return m_gone; }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void unloadDone(bool gone); // the helper answered (gone or not) or failed
    // The plan that ran and the helper's result or failure (unloadjson.h), for a bundle export.
    void recorded(const QJsonObject &record);

private:
    void updatePlan();
    void showResult(const UnloadResult &r);
    void showFailure(const HelperFailure &f);

    Diagnosis m_diagnosis;
    KernelFacts m_kernel;
    UnloadPlan m_plan;
    HelperClient *m_client = nullptr;
    QList<QCheckBox *> m_holders;
    QCheckBox *m_plain = nullptr, *m_force = nullptr, *m_refcount = nullptr, *m_state = nullptr, *m_exit = nullptr;
    QCheckBox *m_override = nullptr;
    QLabel *m_planText = nullptr;
    QLabel *m_taint = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_result = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_stopWaiting = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    bool m_gone = false;
};

} // namespace kmr
