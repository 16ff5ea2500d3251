// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/unloadjson.h"

#include <QJsonArray>

namespace kmr {

namespace {
const QString kRecordsSchema = QStringLiteral("kmodrescue.unload-records");
constexpr int kRecordsVersion = 1;
} // namespace

QJsonObject toJson(const UnloadPlan &p)
{
    QJsonArray steps;
    for (const PlannedStep &s : p.steps)
        steps.append(QJsonObject {{QStringLiteral("action"), s.action}, {QStringLiteral("module"), s.module},
            {QStringLiteral("risk"), toString(s.risk)}, {QStringLiteral("riskText"), s.riskText},
            {QStringLiteral("taints"), s.taints}});
    return QJsonObject {{QStringLiteral("module"), p.module}, {QStringLiteral("refused"), p.refused},
        {QStringLiteral("refusal"), p.refusal}, {QStringLiteral("howToGoOn"), p.howToGoOn},
        {QStringLiteral("steps"), steps}, {QStringLiteral("notes"), QJsonArray::fromStringList(p.notes)},
        {QStringLiteral("taintsKernel"), p.taintsKernel()}};
}

QJsonObject toJson(const UnloadResult &r)
{
    QJsonArray steps;
    for (const UnloadStepResult &s : r.steps)
        steps.append(QJsonObject {{QStringLiteral("step"), s.step}, {QStringLiteral("module"), s.module},
            {QStringLiteral("outcome"), s.outcome}, {QStringLiteral("detail"), s.detail},
            {QStringLiteral("kernelLog"), QJsonArray::fromStringList(s.kernelLog)}});
    return QJsonObject {{QStringLiteral("gone"), r.gone}, {QStringLiteral("finalState"), r.finalState},
        {QStringLiteral("steps"), steps}, {QStringLiteral("kernelLog"), QJsonArray::fromStringList(r.kernelLog)}};
}

QJsonObject unloadRecordJson(const UnloadPlan &plan, const UnloadResult *result, const QString &failure)
{
    QJsonObject o {{QStringLiteral("plan"), toJson(plan)}};
    if (result)
        o.insert(QStringLiteral("result"), toJson(*result));
    if (!failure.isEmpty())
        o.insert(QStringLiteral("error"), QJsonObject {{QStringLiteral("message"), failure}});
    return o;
}

QJsonObject unloadRecordsJson(const QList<QJsonObject> &records)
{
    QJsonArray a;
    for (const QJsonObject &r : records)
        a.append(r);
    return QJsonObject {{QStringLiteral("schema"), kRecordsSchema}, {QStringLiteral("schema_version"), kRecordsVersion},
        {QStringLiteral("records"), a}};
}

bool unloadRecordsFromJson(const QJsonObject &o, QList<QJsonObject> *records, QString *why)
{
    QList<QJsonObject> out;
    if (o.value(QStringLiteral("schema")).toString() == kRecordsSchema) {
        if (o.value(QStringLiteral("schema_version")).toInt() != kRecordsVersion) {
            *why = QStringLiteral("%1 version %2 is not one this kmodrescue reads (it reads version %3)")
                       .arg(kRecordsSchema)
                       .arg(o.value(QStringLiteral("schema_version")).toInt())
                       .arg(kRecordsVersion);
            return false;
        }
        for (const QJsonValue &v : o.value(QStringLiteral("records")).toArray())
            out << v.toObject();
    } else {
        out << o;
    }
    for (const QJsonObject &r : std::as_const(out)) {
        if (!r.value(QStringLiteral("plan")).isObject()) {
            *why = QStringLiteral("an unload record has no \"plan\" object (save what `kmodrescue-cli unload NAME "
                                  "--json` prints)");
            return false;
        }
    }
    *records = out;
    return true;
}

QString unloadRecordModule(const QJsonObject &record)
{
    return record.value(QStringLiteral("plan")).toObject().value(QStringLiteral("module")).toString();
}

QStringList describeUnloadRecord(const QJsonObject &record)
{
    const QJsonObject plan = record.value(QStringLiteral("plan")).toObject();
    QStringList lines;
    if (plan.value(QStringLiteral("refused")).toBool())
        lines << QStringLiteral("Plan refused: ") + plan.value(QStringLiteral("refusal")).toString();
    int n = 0;
    for (const QJsonValue &v : plan.value(QStringLiteral("steps")).toArray())
        lines << QStringLiteral("Plan step %1: ").arg(++n) + v.toObject().value(QStringLiteral("action")).toString();
    const QJsonObject result = record.value(QStringLiteral("result")).toObject();
    if (record.contains(QStringLiteral("error"))) {
        lines << QStringLiteral("Not carried out: ")
                + record.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    } else if (!result.isEmpty()) {
        lines << (result.value(QStringLiteral("gone")).toBool()
                ? QStringLiteral("Result: the module was unloaded.")
                : QStringLiteral("Result: still loaded (%1).")
                      .arg(result.value(QStringLiteral("finalState")).toString()));
        for (const QJsonValue &v : result.value(QStringLiteral("steps")).toArray()) {
            const QJsonObject st = v.toObject();
            lines << QStringLiteral("  %1 %2: %3, %4")
                         .arg(st.value(QStringLiteral("step")).toString(),
                             st.value(QStringLiteral("module")).toString(),
                             st.value(QStringLiteral("outcome")).toString(),
                             st.value(QStringLiteral("detail")).toString());
        }
        for (const QJsonValue &v : result.value(QStringLiteral("kernelLog")).toArray())
            lines << QStringLiteral("  kernel: ") + v.toString();
    }
    return lines;
}

} // namespace kmr
