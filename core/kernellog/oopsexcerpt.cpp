// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsexcerpt.h"

namespace kmr::kernellog {

bool OopsFrame::operator==(const OopsFrame &o) const
{
    return function == o.function && offset == o.offset && size == o.size && module == o.module
        && questionable == o.questionable && line == o.line;
}

bool OopsExcerpt::operator==(const OopsExcerpt &o) const
{
    return title == o.title && altTitles == o.altTitles && kind == o.kind && header == o.header
        && faultingFunction == o.faultingFunction && faultingModule == o.faultingModule && taint == o.taint
        && modulesLinkedIn == o.modulesLinkedIn && frames == o.frames && callerId == o.callerId
        && firstLine == o.firstLine && lastLine == o.lastLine && lineIndexes == o.lineIndexes && lines == o.lines
        && truncated == o.truncated && truncatedWhy == o.truncatedWhy;
}

QStringList implicatedModules(const OopsExcerpt &e)
{
    QStringList mods;
    if (!e.faultingModule.isEmpty())
        mods << e.faultingModule;
    // "? " frames are stale addresses found on the stack, not callers: they implicate nobody.
    for (const OopsFrame &f : e.frames) {
        if (!f.questionable && !f.module.isEmpty() && !mods.contains(f.module))
            mods << f.module;
    }
    return mods;
}

QList<OopsExcerpt> excerptsImplicating(const QList<OopsExcerpt> &all, const QString &module)
{
    QList<OopsExcerpt> out;
    QString name = module;
    name.replace(QLatin1Char('-'), QLatin1Char('_'));
    for (const OopsExcerpt &e : all) {
        if (implicatedModules(e).contains(name))
            out << e;
    }
    return out;
}

} // namespace kmr::kernellog
