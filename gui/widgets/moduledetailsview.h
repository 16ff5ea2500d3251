// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

#include <QTextBrowser>

namespace kmr {

// Everything the snapshot knows about one module, unknown fields with their reason.
// Holders and dependencies are links; clicking one emits moduleLinkActivated(name).
class ModuleDetailsView : public QTextBrowser
{
    Q_OBJECT
public:
    explicit ModuleDetailsView(QWidget *parent = nullptr);

    // Shows `module` (nullptr: nothing selected). `implicatedByOops` adds the oops note.
    void showModule(const ModuleInfo *module, bool implicatedByOops);
    QString shownModule() const { return m_shown; }

    // The HTML for a module, also used by tests.
    static QString moduleHtml(const ModuleInfo &m, bool implicatedByOops);

Q_SIGNALS:
    void moduleLinkActivated(const QString &name);

private:
    QString m_shown;
    ModuleInfo m_shownInfo; // to skip re-rendering (and losing the scroll position) when nothing changed
    bool m_shownOops = false;
};

} // namespace kmr
