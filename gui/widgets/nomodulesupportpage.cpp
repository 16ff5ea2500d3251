// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/nomodulesupportpage.h"

#include <QAction>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace kmr {

NoModuleSupportPage::NoModuleSupportPage(QAction *openBundle, QAction *openSample, QWidget *parent)
    : QWidget(parent)
    , m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("noModuleSupportPage"));
    auto *title = new QLabel(QStringLiteral("No loadable modules on this kernel"), this);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    title->setFont(big);
    title->setAlignment(Qt::AlignCenter);

    m_message->setObjectName(QStringLiteral("noModuleSupportMessage"));
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setFixedWidth(560); // a fixed width so the wrapped text gets its full height
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    for (QAction *action : {openBundle, openSample}) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setMinimumWidth(140);
        button->setVisible(action->isVisible());
        connect(action, &QAction::changed, button, [button, action] { button->setVisible(action->isVisible()); });
        buttons->addWidget(button);
    }
    buttons->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addStretch(2);
    layout->addWidget(title);
    layout->addSpacing(12);
    auto *centred = new QHBoxLayout; // stretches, not an alignment flag: keeps heightForWidth working
    centred->addStretch();
    centred->addWidget(m_message);
    centred->addStretch();
    layout->addLayout(centred);
    layout->addSpacing(16);
    layout->addLayout(buttons);
    layout->addStretch(3);
    setRoot(QStringLiteral("/"));
}

void NoModuleSupportPage::setRoot(const QString &root)
{
    const QString procModules = QDir::cleanPath(root + QStringLiteral("/proc/modules"));
    m_message->setText(QStringLiteral("This kernel has no loadable module support (there is no %1), "
                                      "so nothing can be stuck here. Containers often look like this too.\n\n"
                                      "You can open a diagnostic bundle from another machine, or the bundled "
                                      "sample recorded on a real kernel with stuck modules.")
                           .arg(procModules));
}

QString NoModuleSupportPage::message() const
{
    return m_message->text();
}

} // namespace kmr
