// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

namespace kmr {

// Read access to a tree of files named by absolute paths ("/proc/modules"): a directory on disk
// (the live system, a fixture root) or files held in memory (a sosreport read from its archive,
// which is never extracted). The snapshot's hand reader reads either through this.
class FileTree
{
public:
    virtual ~FileTree() = default;
    // The whole file; false with *why ("PATH: what went wrong") when it cannot be read.
    virtual bool read(const QString &path, QByteArray *out, QString *why, qint64 maxBytes) const = 0;
    virtual bool isDir(const QString &path) const = 0;
    // The names in a directory, sorted; empty when there is none.
    virtual QStringList list(const QString &dir) const = 0;
    // How messages name the tree: "/tmp/fx", "sosreport /tmp/sos.tar.xz".
    virtual QString describe() const = 0;

    // The first line, trimmed; empty with *why set on failure.
    QString firstLine(const QString &path, QString *why) const;
};

// ROOT/path on disk ("/" for the live system).
class DiskTree final : public FileTree
{
public:
    explicit DiskTree(const QString &root);
    bool read(const QString &path, QByteArray *out, QString *why, qint64 maxBytes) const override;
    bool isDir(const QString &path) const override;
    QStringList list(const QString &dir) const override;
    QString describe() const override { return m_root; }

private:
    QString m_root;
};

// Files in memory by relative path ("proc/modules"), and links among them ("lsmod" ->
// "sos_commands/kernel/lsmod", relative to the tree's top, already checked to stay inside).
// A path is resolved through links component by component, at most 16 links deep.
class MemoryTree final : public FileTree
{
public:
    MemoryTree() = default;
    MemoryTree(QMap<QString, QByteArray> files, QMap<QString, QString> links, const QString &label);
    bool read(const QString &path, QByteArray *out, QString *why, qint64 maxBytes) const override;
    bool isDir(const QString &path) const override;
    QStringList list(const QString &dir) const override;
    QString describe() const override { return m_label; }

    // The relative path `path` ends at after following links; empty when a loop or too deep.
    QString resolve(const QString &path) const;
    bool contains(const QString &path) const { return m_files.contains(resolve(path)); }
    QByteArray value(const QString &path) const { return m_files.value(resolve(path)); }
    // Every file (not link) path under `dir` ("sos_commands/logs"), sorted.
    QStringList filesUnder(const QString &dir) const;
    const QMap<QString, QByteArray> &files() const { return m_files; }

private:
    QMap<QString, QByteArray> m_files;
    QMap<QString, QString> m_links;
    QString m_label;
};

} // namespace kmr
