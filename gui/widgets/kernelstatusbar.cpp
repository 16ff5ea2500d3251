// SPDX-License-Identifier: GPL-2.0-or-later
#include "widgets/kernelstatusbar.h"

#include "snapshot/taint.h"

#include <QDateTime>
#include <QFrame>
#include <QLabel>

namespace kmr {

KernelStatusBar::KernelStatusBar(QWidget *parent)
    : QStatusBar(parent)
{
    setSizeGripEnabled(true);
    m_release = addLabel(QStringLiteral("statusRelease"));
    m_taint = addLabel(QStringLiteral("statusTaint"));
    m_lockdown = addLabel(QStringLiteral("statusLockdown"));
    m_forceUnload = addLabel(QStringLiteral("statusForceUnload"));
    m_counts = addLabel(QStringLiteral("statusCounts"));
    m_scanning = new QLabel(this);
    m_scanning->setObjectName(QStringLiteral("statusScanning"));
    addWidget(m_scanning, 1);
    m_source = new QLabel(this);
    m_source->setObjectName(QStringLiteral("statusSource"));
    addPermanentWidget(m_source);
}

QLabel *KernelStatusBar::addLabel(const QString &objectName)
{
    if (!findChildren<QLabel *>().isEmpty()) {
        auto *line = new QFrame(this);
        line->setFrameShape(QFrame::VLine);
        line->setFrameShadow(QFrame::Sunken);
        addWidget(line);
    }
    auto *label = new QLabel(this);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setContentsMargins(4, 0, 4, 0);
    addWidget(label);
    return label;
}

QString KernelStatusBar::taintText(const KernelFacts &k)
{
    if (!k.taintKnown)
        return QStringLiteral("taint unknown");
    return k.taintLetters.isEmpty() ? QStringLiteral("not tainted") : QStringLiteral("taint ") + k.taintLetters;
}

QString KernelStatusBar::lockdownText(const KernelFacts &k)
{
    return k.lockdown.known() && !k.lockdown.value.isEmpty() ? QStringLiteral("lockdown ") + k.lockdown.value
                                                             : QStringLiteral("lockdown unknown");
}

QString KernelStatusBar::forceUnloadText(const KernelFacts &k)
{
    if (!k.forceUnload.known() || k.forceUnload.value.isEmpty())
        return QStringLiteral("forced unload unknown");
    return k.forceUnload.value == QLatin1String("y") ? QStringLiteral("forced unload available")
                                                     : QStringLiteral("no forced unload");
}

void KernelStatusBar::setKernelFacts(const KernelFacts &k)
{
    m_release->setText(
        k.release.known() ? QStringLiteral("Linux ") + k.release.value : QStringLiteral("release unknown"));
    m_release->setToolTip(k.version.known() ? k.version.value : k.release.display());

    m_taint->setText(taintText(k));
    if (k.taintKnown && k.taintMask) {
        m_taint->setToolTip(QStringLiteral("The kernel is tainted (mask %1):\n").arg(k.taintMask)
            + describeTaint(k.taintMask).join(QLatin1Char('\n')));
    } else {
        m_taint->setToolTip(k.taintKnown ? QStringLiteral("The kernel is not tainted.")
                                         : QStringLiteral("/proc/sys/kernel/tainted could not be read."));
    }

    m_lockdown->setText(lockdownText(k));
    m_lockdown->setToolTip(k.lockdown.known()
            ? QStringLiteral("Kernel lockdown mode (/sys/kernel/security/lockdown). In lockdown, unsigned "
                             "modules such as the fixer cannot be loaded.")
            : k.lockdown.why);

    m_forceUnload->setText(forceUnloadText(k));
    QString fuTip = k.forceUnload.known()
        ? QStringLiteral("CONFIG_MODULE_FORCE_UNLOAD=%1 (rmmod --force)").arg(k.forceUnload.value)
        : k.forceUnload.why;
    if (k.configSource.known())
        fuTip += QStringLiteral("\nKernel config read from ") + k.configSource.value;
    m_forceUnload->setToolTip(fuTip);
}

void KernelStatusBar::setCounts(int total, int shown)
{
    m_counts->setText(shown == total ? QStringLiteral("%1 modules").arg(total)
                                     : QStringLiteral("%1 of %2 modules shown").arg(shown).arg(total));
}

void KernelStatusBar::setSource(const Snapshot &s, qint64 scanMsecs)
{
    const QString when = s.takenMsecsSinceEpoch
        ? QDateTime::fromMSecsSinceEpoch(s.takenMsecsSinceEpoch).toString(QStringLiteral("HH:mm:ss"))
        : QString();
    QString text = s.source.isEmpty() || s.source == QLatin1String("live") ? QStringLiteral("live") : s.source;
    if (!when.isEmpty())
        text += QStringLiteral(" · ") + when;
    m_source->setText(text);
    QString tip
        = scanMsecs >= 0 ? QStringLiteral("Scanned in %1 ms").arg(scanMsecs) : QStringLiteral("Not a live scan");
    if (!s.warnings.isEmpty())
        tip += QStringLiteral("\n\nWarnings while reading:\n") + s.warnings.join(QLatin1Char('\n'));
    m_source->setToolTip(tip);
    if (!s.warnings.isEmpty())
        m_source->setText(m_source->text() + QStringLiteral(" · %1 warning(s)").arg(s.warnings.size()));
}

void KernelStatusBar::setScanning(bool scanning)
{
    m_scanning->setText(scanning ? QStringLiteral("Scanning…") : QString());
}

void KernelStatusBar::setScanError(const QString &error)
{
    m_scanning->setText(QStringLiteral("Scan failed: ") + error);
}

} // namespace kmr
