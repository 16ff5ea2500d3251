// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/moduledetailsview.h"

#include "models/moduletablemodel.h"
#include "snapshot/taint.h"

#include <QLocale>
#include <QUrl>

namespace kmr {

namespace {
const QLatin1String moduleScheme("module");

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString unknownHtml(const QString &why)
{
    return QStringLiteral("<span style='color:#808080'>unknown: ") + esc(why) + QStringLiteral("</span>");
}

QString factHtml(const Fact &f, bool mono = false, const QString &emptyText = QString())
{
    if (!f.known())
        return unknownHtml(f.why);
    if (f.value.isEmpty())
        return emptyText.isEmpty() ? QStringLiteral("<i>empty</i>") : esc(emptyText);
    return mono ? QStringLiteral("<code>") + esc(f.value) + QStringLiteral("</code>") : esc(f.value);
}

QString moduleLinks(const QStringList &names, const QString &none)
{
    if (names.isEmpty())
        return QStringLiteral("<i>") + esc(none) + QStringLiteral("</i>");
    QStringList links;
    links.reserve(names.size());
    for (const QString &n : names) {
        QUrl url;
        url.setScheme(moduleScheme);
        url.setPath(n);
        links << QStringLiteral("<a href='") + esc(url.toString()) + QStringLiteral("'>") + esc(n)
                + QStringLiteral("</a>");
    }
    return links.join(QLatin1String(", "));
}

QString row(const QString &label, const QString &valueHtml)
{
    return QStringLiteral("<tr><th align='left' valign='top' style='padding-right:12px'>") + esc(label)
        + QStringLiteral("</th><td>") + valueHtml + QStringLiteral("</td></tr>");
}
} // namespace

ModuleDetailsView::ModuleDetailsView(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
    setOpenExternalLinks(false);
    connect(this, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == moduleScheme)
            Q_EMIT moduleLinkActivated(url.path());
    });
    showModule(nullptr, false);
}

void ModuleDetailsView::showModule(const ModuleInfo *module, bool implicatedByOops)
{
    if (!module) {
        m_shown.clear();
        setHtml(QStringLiteral("<p style='color:#808080'>Select a module in the table to see its details.</p>"));
        return;
    }
    if (m_shown == module->name && m_shownInfo == *module && m_shownOops == implicatedByOops)
        return;
    m_shown = module->name;
    m_shownInfo = *module;
    m_shownOops = implicatedByOops;
    setHtml(moduleHtml(*module, implicatedByOops));
}

QString ModuleDetailsView::moduleHtml(const ModuleInfo &m, bool implicatedByOops)
{
    QString html = QStringLiteral("<h2 style='margin-bottom:4px'>") + esc(m.name) + QStringLiteral("</h2>");
    if (implicatedByOops)
        html += QStringLiteral("<p style='color:#c81e1e'><b>Implicated by an oops in the kernel log.</b></p>");

    QString state = esc(toString(m.state));
    if (m.state == ModuleState::Loading)
        state += QStringLiteral(" <i>(its init has not returned, or crashed)</i>");
    else if (m.state == ModuleState::Unloading)
        state += QStringLiteral(" <i>(its exit has not returned, or crashed)</i>");
    else if (m.state == ModuleState::Unknown)
        state = unknownHtml(QStringLiteral("state not readable"));

    QString refs = ModuleTableModel::refcountKnown(m) ? QString::number(m.refcount)
                                                      : unknownHtml(QStringLiteral("refcount not readable"));
    if (m.refcount == -1 && ModuleTableModel::refcountKnown(m))
        refs += QStringLiteral(" <i>(the kernel reports -1 once a module's exit has started)</i>");
    if (ModuleTableModel::hasSuspiciousRefs(m))
        refs += QStringLiteral(" <span style='color:#b36b00'>(referenced, but no module holds it: a leaked "
                               "reference, or real use by open files, mounts or interfaces)</span>");

    QString size = m.size < 0 ? unknownHtml(QStringLiteral("size not readable"))
                              : QString::number(m.size) + QStringLiteral(" bytes (")
            + esc(QLocale().formattedDataSize(m.size)) + QLatin1Char(')');

    QString taint = m.taint.isEmpty() ? QStringLiteral("<i>none</i>")
                                      : QStringLiteral("<b>") + esc(m.taint) + QStringLiteral("</b>");
    for (const QString &line : describeTaint(taintMaskFromLetters(m.taint)))
        taint += QStringLiteral("<br/>") + esc(line);

    QString exit = esc(toString(m.exit));
    if (m.exit == ExitPresence::Missing)
        exit = QStringLiteral("<span style='color:#b36b00'>missing: the module has an init and no exit; "
                              "the kernel refuses a plain unload</span>");
    else if (m.exit == ExitPresence::Unknown)
        exit = unknownHtml(m.exitWhy.isEmpty() ? QStringLiteral("not determined") : m.exitWhy);

    const QString address = m.address
        ? QStringLiteral("<code>0x") + QString::number(m.address, 16) + QStringLiteral("</code>")
        : QStringLiteral("<i>hidden (kptr_restrict) or not read</i>");

    html += QStringLiteral("<table cellspacing='2'>");
    html += row(QStringLiteral("State"), state);
    html += row(QStringLiteral("Refcount"), refs);
    html += row(QStringLiteral("Used by"), moduleLinks(m.holders, QStringLiteral("no module")));
    html += row(QStringLiteral("Depends on"), moduleLinks(m.dependencies, QStringLiteral("no module")));
    html += row(QStringLiteral("Size"), size);
    html += row(QStringLiteral("Taint"), taint);
    html += row(QStringLiteral("Out of tree"), m.outOfTree ? QStringLiteral("yes") : QStringLiteral("no"));
    // Facts read from the .ko share its reason when it could not be found: say it once.
    const auto koFact = [&m](const Fact &f, bool mono, const QString &emptyText = QString()) {
        if (!f.known() && !m.koPath.known() && f.why == m.koPath.why)
            return QStringLiteral("<span style='color:#808080'>unknown: no .ko file (see above)</span>");
        return factHtml(f, mono, emptyText);
    };
    if (m.exit == ExitPresence::Unknown && !m.koPath.known() && m.exitWhy == m.koPath.why)
        exit = QStringLiteral("<span style='color:#808080'>unknown: no .ko file (see above)</span>");
    html += row(QStringLiteral(".ko file"), factHtml(m.koPath, true));
    html += row(QStringLiteral("Compiler"), koFact(m.compiler, false));
    html += row(QStringLiteral("vermagic"), koFact(m.vermagic, true));
    html += row(QStringLiteral("srcversion"), koFact(m.srcversion, true));
    html += row(QStringLiteral("Signer"), koFact(m.signer, false, QStringLiteral("unsigned")));
    html += row(QStringLiteral("Exit function"), exit);
    html += row(QStringLiteral("Load address"), address);
    html += QStringLiteral("</table>");

    if (!m.warnings.isEmpty()) {
        html += QStringLiteral("<h4>Read problems</h4><ul>");
        for (const QString &w : m.warnings)
            html += QStringLiteral("<li>") + esc(w) + QStringLiteral("</li>");
        html += QStringLiteral("</ul>");
    }
    return html;
}

} // namespace kmr
