// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/diagnosismodel.h"

#include <QApplication>
#include <QBrush>
#include <QFont>
#include <QStyle>

namespace kmr {

namespace {
QString stepsText(const QList<RemedyStep> &steps)
{
    QStringList s;
    for (RemedyStep st : steps)
        s << toString(st);
    return s.join(QStringLiteral(" \u2192 "));
}
} // namespace

DiagnosisModel::DiagnosisModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

void DiagnosisModel::setDiagnosis(const Diagnosis &diagnosis)
{
    beginResetModel();
    m_diagnosis = diagnosis;
    endResetModel();
}

quintptr DiagnosisModel::pack(const Node &n)
{
    // +1 on each field so that 0 means "none"; 0 as a whole is the invisible root.
    return (quintptr(n.level + 1) << 30) | (quintptr(n.finding + 1) << 15) | (quintptr(n.group + 1) << 13)
        | quintptr(n.evidence + 1);
}

DiagnosisModel::Node DiagnosisModel::unpack(quintptr id)
{
    Node n;
    n.level = int((id >> 30) & 0x3) - 1;
    n.finding = int((id >> 15) & 0x7fff) - 1;
    n.group = int((id >> 13) & 0x3) - 1;
    n.evidence = int(id & 0x1fff) - 1;
    return n;
}

int DiagnosisModel::childCount(const Node &n) const
{
    if (n.level < 0)
        return int(m_diagnosis.findings.size());
    if (n.finding < 0 || n.finding >= m_diagnosis.findings.size())
        return 0;
    const Finding &f = m_diagnosis.findings.at(n.finding);
    switch (n.level) {
    case 0:
        return 2;
    case 1:
        return n.group == 1 ? int(f.evidence.size()) : 0;
    case 2:
        return n.evidence < f.evidence.size() ? int(f.evidence.at(n.evidence).detail.size()) : 0;
    default:
        return 0;
    }
}

QModelIndex DiagnosisModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= 2)
        return {};
    const Node p = parent.isValid() ? unpack(parent.internalId()) : Node {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    if (row >= childCount(p))
        return {};
    Node c = p;
    c.level = p.level + 1;
    switch (c.level) {
    case 0:
        c.finding = row;
        break;
    case 1:
        c.group = row;
        break;
    case 2:
        c.evidence = row;
        break;
    case 3:
        // A detail line: its row is its own index; keep the parent's fields.
        return createIndex(row, column, pack(c));
    default:
        return {};
    }
    return createIndex(row, column, pack(c));
}

QModelIndex DiagnosisModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Node c = unpack(child.internalId());
    switch (c.level) {
    case 0:
        return {};
    case 1:
        return createIndex(c.finding, 0, pack(Node {0, c.finding, -1, -1}));
    case 2:
        return createIndex(c.group, 0, pack(Node {1, c.finding, c.group, -1}));
    case 3:
        return createIndex(c.evidence, 0, pack(Node {2, c.finding, c.group, c.evidence}));
    default:
        return {};
    }
}

int DiagnosisModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return childCount(parent.isValid() ? unpack(parent.internalId()) : Node {});
}

int DiagnosisModel::columnCount(const QModelIndex &) const
{
    return 2;
}

QVariant DiagnosisModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == 0 ? QStringLiteral("Finding") : QStringLiteral("Read from");
}

QVariant DiagnosisModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node n = unpack(index.internalId());
    if (n.finding < 0 || n.finding >= m_diagnosis.findings.size())
        return {};
    const Finding &f = m_diagnosis.findings.at(n.finding);
    const int col = index.column();
    switch (n.level) {
    case 0:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return col == 0 ? f.sentence : QVariant(toString(f.severity));
        if (role == Qt::DecorationRole && col == 0) {
            const QStyle::StandardPixmap icon = f.severity == Severity::Blocker ? QStyle::SP_MessageBoxCritical
                : f.severity == Severity::Warning                               ? QStyle::SP_MessageBoxWarning
                                                                                : QStyle::SP_MessageBoxInformation;
            return QApplication::style()->standardIcon(icon);
        }
        if (role == Qt::FontRole && f.severity == Severity::Blocker) {
            QFont font;
            font.setBold(true);
            return font;
        }
        if (role == SeverityRole)
            return int(f.severity);
        if (role == KindRole)
            return toString(f.kind);
        return {};
    case 1:
        if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
            return {};
        if (n.group == 0) {
            if (col == 1)
                return f.steps.isEmpty() ? QString() : QStringLiteral("plan: ") + stepsText(f.steps);
            return QString(
                QStringLiteral("What to do: ") + (f.remedy.isEmpty() ? QStringLiteral("nothing needed") : f.remedy));
        }
        return col == 0 ? QStringLiteral("Evidence (%1)").arg(f.evidence.size()) : QVariant();
    case 2: {
        if (n.evidence >= f.evidence.size())
            return {};
        const Evidence &e = f.evidence.at(n.evidence);
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
            if (col == 1)
                return e.source;
            return QString(e.label + QStringLiteral(": ") + e.value
                + (e.needsHelper ? QStringLiteral("  [needs the helper]") : QString()));
        }
        if (role == Qt::ForegroundRole && e.needsHelper)
            return QBrush(Qt::darkYellow);
        if (role == NeedsHelperRole)
            return e.needsHelper;
        if (role == OopsIdRole)
            return e.oopsId;
        if (role == PidRole)
            return e.pid;
        return {};
    }
    case 3: {
        if (n.evidence >= f.evidence.size() || index.row() >= f.evidence.at(n.evidence).detail.size())
            return {};
        if ((role == Qt::DisplayRole || role == Qt::ToolTipRole) && col == 0)
            return f.evidence.at(n.evidence).detail.at(index.row());
        if (role == Qt::FontRole)
            return QFont(QStringLiteral("monospace"));
        return {};
    }
    default:
        return {};
    }
}

} // namespace kmr
