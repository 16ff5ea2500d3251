// SPDX-License-Identifier: GPL-2.0-or-later
#include "exportbundledialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace kmr {

ExportBundleDialog::ExportBundleDialog(
    const bundle::BundleContents &contents, const bundle::RedactionContext &context, QWidget *parent)
    : QDialog(parent)
    , m_contents(contents)
{
    setObjectName(QStringLiteral("exportBundleDialog"));
    setWindowTitle(QStringLiteral("Export Diagnostic Bundle"));
    m_members = bundle::bundleMembers(m_contents, &m_parts);
    m_plan = bundle::planRedactions(m_members, context);

    auto *layout = new QVBoxLayout(this);
    QStringList names;
    for (const bundle::BundleMember &m : std::as_const(m_members))
        names << m.path;
    auto *what = new QLabel(this);
    what->setWordWrap(true);
    what->setText(
        QStringLiteral("The bundle holds %1 files: the module snapshot, the diagnosis of %2, the dependency graph, "
                       "the kernel log and its crash reports, the kernel config lines and modinfo.")
            .arg(names.size() + 1)
            .arg(m_contents.chosenModules.isEmpty() ? QStringLiteral("no module")
                                                    : m_contents.chosenModules.join(QStringLiteral(", "))));
    what->setToolTip(names.join(QLatin1Char('\n')));
    layout->addWidget(what);
    m_redact = new QCheckBox(
        QStringLiteral("Redact host name, user names, home paths, MAC and IP addresses, serial numbers"), this);
    m_redact->setObjectName(QStringLiteral("redactCheck"));
    m_redact->setChecked(true);
    layout->addWidget(m_redact);
    auto *label = new QLabel(QStringLiteral("These values will be replaced before the bundle is written:"), this);
    layout->addWidget(label);
    m_list = new QPlainTextEdit(this);
    m_list->setObjectName(QStringLiteral("redactionList"));
    m_list->setReadOnly(true);
    m_list->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_list->setPlainText(redactionText());
    layout->addWidget(m_list);
    connect(m_redact, &QCheckBox::toggled, this, [this, label](bool on) {
        m_list->setEnabled(on);
        label->setText(on ? QStringLiteral("These values will be replaced before the bundle is written:")
                          : QStringLiteral("Redaction is off: these values will be written as they are."));
    });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Save)->setText(QStringLiteral("Save Bundle…"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportBundleDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(720, 420);
}

bool ExportBundleDialog::redact() const
{
    return m_redact->isChecked();
}

QString ExportBundleDialog::redactionText() const
{
    return bundle::describeRedactions(m_plan);
}

bool ExportBundleDialog::writeTo(const QString &file, QString *error) const
{
    const QList<bundle::BundleMember> members = redact() ? bundle::applyRedactions(m_members, m_plan) : m_members;
    return bundle::writeBundleArchive(file, members, bundle::manifestExtra(m_contents, m_parts, redact()), error);
}

void ExportBundleDialog::save()
{
    const QString suggested = QDir::home().filePath(
        QStringLiteral("kmodrescue-%1-%2.tar.gz")
            .arg(m_contents.chosenModules.size() == 1 ? m_contents.chosenModules.first() : QStringLiteral("bundle"),
                QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm"))));
    const QString file = QFileDialog::getSaveFileName(
        this, QStringLiteral("Save Diagnostic Bundle"), suggested, QStringLiteral("Bundles (*.tar.gz)"));
    if (file.isEmpty())
        return;
    QString error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = writeTo(file, &error);
    QApplication::restoreOverrideCursor();
    if (!ok) {
        QMessageBox::warning(this, QStringLiteral("Export Diagnostic Bundle"), error);
        return;
    }
    accept();
}

} // namespace kmr
