// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/diagnosis.h"

#include "diagnosis/diagnosisrules.h"
#include "diagnosis/systemscan.h"

#include <QSet>

#include <algorithm>
#include <functional>

namespace kmr {

namespace {
template<typename E, size_t N> bool fromTable(const QString &s, E *out, const std::pair<E, const char *> (&table)[N])
{
    const auto *it = std::find_if(std::begin(table), std::end(table),
        [&s](const std::pair<E, const char *> &p) { return s == QLatin1String(p.second); });
    if (it == std::end(table))
        return false;
    *out = it->first;
    return true;
}
template<typename E, size_t N> QString toTable(E e, const std::pair<E, const char *> (&table)[N])
{
    for (const auto &p : table)
        if (p.first == e)
            return QString::fromLatin1(p.second);
    return QStringLiteral("unknown");
}

const std::pair<FindingKind, const char *> kindNames[] = {
    {FindingKind::HeldByModules, "held-by-modules"},
    {FindingKind::InitCrashed, "init-crashed"},
    {FindingKind::StuckLoading, "stuck-loading"},
    {FindingKind::ExitCrashed, "exit-crashed"},
    {FindingKind::ExitStillRunning, "exit-still-running"},
    {FindingKind::StuckUnloading, "stuck-unloading"},
    {FindingKind::NoExitFunction, "no-exit-function"},
    {FindingKind::LeakedReference, "leaked-reference"},
    {FindingKind::RealUse, "real-use"},
    {FindingKind::CompilerMismatch, "compiler-mismatch"},
    {FindingKind::VermagicMismatch, "vermagic-mismatch"},
    {FindingKind::ForcedUnload, "forced-unload"},
    {FindingKind::RepairBlocked, "repair-blocked"},
    {FindingKind::Unloadable, "unloadable"},
    {FindingKind::NotLoaded, "not-loaded"},
};
const std::pair<Severity, const char *> severityNames[] = {
    {Severity::Info, "info"},
    {Severity::Warning, "warning"},
    {Severity::Blocker, "blocker"},
};
const std::pair<RemedyStep, const char *> stepNames[] = {
    {RemedyStep::Rmmod, "rmmod"},
    {RemedyStep::UnloadHolders, "unload-holders"},
    {RemedyStep::ForcedUnload, "forced-unload"},
    {RemedyStep::FixerResetRefcount, "fixer-reset-refcount"},
    {RemedyStep::FixerSetLive, "fixer-set-live"},
    {RemedyStep::FixerStubExit, "fixer-stub-exit"},
    {RemedyStep::StopUsers, "stop-users"},
    {RemedyStep::Rebuild, "rebuild"},
    {RemedyStep::Wait, "wait"},
};
} // namespace

QString toString(FindingKind k)
{
    return toTable(k, kindNames);
}
bool findingKindFromString(const QString &s, FindingKind *out)
{
    return fromTable(s, out, kindNames);
}
QString toString(Severity s)
{
    return toTable(s, severityNames);
}
bool severityFromString(const QString &s, Severity *out)
{
    return fromTable(s, out, severityNames);
}
QString toString(RemedyStep s)
{
    return toTable(s, stepNames);
}
bool remedyStepFromString(const QString &s, RemedyStep *out)
{
    return fromTable(s, out, stepNames);
}

bool Evidence::operator==(const Evidence &o) const
{
    return kind == o.kind && label == o.label && source == o.source && value == o.value && oopsId == o.oopsId
        && pid == o.pid && needsHelper == o.needsHelper && detail == o.detail;
}

bool Finding::operator==(const Finding &o) const
{
    return kind == o.kind && severity == o.severity && sentence == o.sentence && evidence == o.evidence
        && remedy == o.remedy && steps == o.steps && unloadOrder == o.unloadOrder;
}

bool ModuleUser::operator==(const ModuleUser &o) const
{
    return kind == o.kind && what == o.what && source == o.source && pid == o.pid && command == o.command;
}

bool Diagnosis::stuck() const
{
    return std::any_of(
        findings.begin(), findings.end(), [](const Finding &f) { return f.severity == Severity::Blocker; });
}

bool Diagnosis::has(FindingKind k) const
{
    return find(k) != nullptr;
}

const Finding *Diagnosis::find(FindingKind k) const
{
    for (const Finding &f : findings)
        if (f.kind == k)
            return &f;
    return nullptr;
}

bool Diagnosis::operator==(const Diagnosis &o) const
{
    return module == o.module && loaded == o.loaded && state == o.state && refcount == o.refcount
        && findings == o.findings && users == o.users && usersScanned == o.usersScanned && warnings == o.warnings;
}

Diagnoser::Diagnoser(const Snapshot &snapshot)
    : Diagnoser(snapshot, Options {})
{ }

Diagnoser::Diagnoser(const Snapshot &snapshot, Options options)
    : m_snapshot(snapshot)
    , m_options(std::move(options))
{ }

Diagnoser::~Diagnoser()
{
    delete m_scan;
}

void Diagnoser::setOopses(const QList<OopsCitation> &oopses)
{
    m_oopses = oopses;
}

void Diagnoser::setReferenceTakers(const QString &module, const QList<ReferenceTaker> &takers)
{
    m_takers.insert(canonicalModuleName(module), takers);
}

void Diagnoser::setReferenceTakers(const QHash<QString, QList<ReferenceTaker>> &takersByModule)
{
    for (auto it = takersByModule.cbegin(); it != takersByModule.cend(); ++it)
        setReferenceTakers(it.key(), it.value());
}

const SystemScan &Diagnoser::scan() const
{
    if (!m_scan) {
        m_scan = new SystemScan(m_options.root);
        if (m_options.scanSystem)
            m_scan->run();
    }
    return *m_scan;
}

Diagnosis Diagnoser::diagnose(const QString &module) const
{
    RuleInput in {m_snapshot, m_options.scanSystem ? &scan() : nullptr, m_oopses, m_takers};
    return diagnoseModule(in, module);
}

QList<Diagnosis> Diagnoser::diagnoseAll() const
{
    QList<Diagnosis> out;
    out.reserve(m_snapshot.modules.size());
    for (const ModuleInfo &m : m_snapshot.modules)
        out.append(diagnose(m.name));
    return out;
}

QStringList holderUnloadOrder(const Snapshot &snapshot, const QString &module, QString *warning)
{
    QStringList order;
    QSet<QString> done;
    QSet<QString> visiting;
    QStringList cycles;
    // Post-order over "is held by": a holder is emitted after its own holders, so the list is the
    // unload order (nothing is unloaded while something still holds it).
    std::function<void(const QString &)> visit = [&](const QString &name) {
        visiting.insert(name);
        const ModuleInfo *m = snapshot.find(name);
        if (m) {
            for (const QString &h0 : m->holders) {
                if (h0.startsWith(QLatin1Char('[')))
                    continue; // "[permanent]", "[unsafe]": /proc/modules markers, not modules
                const QString h = canonicalModuleName(h0);
                if (visiting.contains(h)) {
                    cycles << name + QStringLiteral(" <-> ") + h;
                    continue;
                }
                if (!done.contains(h))
                    visit(h);
            }
        }
        visiting.remove(name);
        done.insert(name);
        order << name;
    };
    const QString start = canonicalModuleName(module);
    visit(start);
    order.removeLast(); // the module itself
    if (warning)
        *warning = cycles.isEmpty() ? QString()
                                    : QStringLiteral("the holders form a cycle (") + cycles.join(QStringLiteral(", "))
                + QStringLiteral("): the order shown breaks it arbitrarily");
    return order;
}

} // namespace kmr
