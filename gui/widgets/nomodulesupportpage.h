// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QWidget>

class QAction;
class QLabel;

namespace kmr {

// Shown instead of an empty table when the kernel has no loadable module support.
// Its buttons follow the given actions (File > Open Bundle…, Open Sample): a button shows
// when its action is visible, so the part that implements bundles only has to enable it.
class NoModuleSupportPage : public QWidget
{
    Q_OBJECT
public:
    NoModuleSupportPage(QAction *openBundle, QAction *openSample, QWidget *parent = nullptr);

    // root: the directory scanned ("/" on the live system).
    void setRoot(const QString &root);
    QString message() const;

private:
    QLabel *m_message;
};

} // namespace kmr
