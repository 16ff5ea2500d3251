// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "bundle/bundlecontents.h"
#include "bundle/redaction.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QPlainTextEdit;

namespace kmr {

// Shows what an export will hold and, before anything is written, every value redaction will
// replace (original -> replacement, where). The user may turn redaction off. Accepting asks
// for the file name and writes the bundle atomically.
class ExportBundleDialog : public QDialog
{
    Q_OBJECT
public:
    ExportBundleDialog(
        const bundle::BundleContents &contents, const bundle::RedactionContext &context, QWidget *parent = nullptr);

    bool redact() const;
    const QList<bundle::Redaction> &redactions() const { return m_plan; }
    QString redactionText() const;
    // Writes to FILE with the current choice; false with *error.
    bool writeTo(const QString &file, QString *error) const;

private:
    void save();

    bundle::BundleContents m_contents;
    QList<bundle::BundleMember> m_members;
    QJsonObject m_parts;
    QList<bundle::Redaction> m_plan;
    QCheckBox *m_redact;
    QPlainTextEdit *m_list;
};

} // namespace kmr
