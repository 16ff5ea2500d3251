// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

#include <QStatusBar>

class QLabel;

namespace kmr {

// The kernel-wide facts that decide what can be done, always in view:
// release, taint letters (meanings in the tooltip), lockdown, forced unload, and the scan.
class KernelStatusBar : public QStatusBar
{
    Q_OBJECT
public:
    explicit KernelStatusBar(QWidget *parent = nullptr);

    void setKernelFacts(const KernelFacts &k);
    void setCounts(int total, int shown);
    // Where the snapshot came from and when; scanMsecs < 0 when it was not scanned here.
    void setSource(const Snapshot &s, qint64 scanMsecs);
    void setScanning(bool scanning);
    void setScanError(const QString &error);

    // For tests and other parts that want to show the same words.
    static QString taintText(const KernelFacts &k);
    static QString lockdownText(const KernelFacts &k);
    static QString forceUnloadText(const KernelFacts &k);

private:
    QLabel *addLabel(const QString &objectName);

    QLabel *m_release;
    QLabel *m_taint;
    QLabel *m_lockdown;
    QLabel *m_forceUnload;
    QLabel *m_counts;
    QLabel *m_source;
    QLabel *m_scanning;
};

} // namespace kmr
