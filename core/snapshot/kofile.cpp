// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/kofile.h"

#include <QStringList>

#include <archive.h>
#include <archive_entry.h>
#include <cstring>
#include <elf.h>

namespace kmr {

static constexpr qint64 MaxModuleImage = 512LL * 1024 * 1024; // no real module is near this

bool loadModuleImage(const QString &path, QByteArray *image, QString *why)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    const QByteArray native = path.toLocal8Bit();
    if (archive_read_open_filename(a, native.constData(), 65536) != ARCHIVE_OK) {
        *why = path + QStringLiteral(": cannot open or decompress (corrupt or truncated file?): ")
            + QString::fromLocal8Bit(archive_error_string(a)).simplified();
        archive_read_free(a);
        return false;
    }
    struct archive_entry *entry = nullptr;
    if (archive_read_next_header(a, &entry) != ARCHIVE_OK) {
        *why = path + QStringLiteral(": cannot read: ") + QString::fromLocal8Bit(archive_error_string(a));
        archive_read_free(a);
        return false;
    }
    QByteArray data;
    char buf[65536];
    for (;;) {
        const la_ssize_t n = archive_read_data(a, buf, sizeof buf);
        if (n < 0) {
            *why = path + QStringLiteral(": corrupt or truncated: ") + QString::fromLocal8Bit(archive_error_string(a));
            archive_read_free(a);
            return false;
        }
        if (n == 0)
            break;
        data.append(buf, n);
        if (data.size() > MaxModuleImage) {
            *why = path + QStringLiteral(": larger than 512 MiB once decompressed, not a module");
            archive_read_free(a);
            return false;
        }
    }
    archive_read_free(a);
    *image = data;
    return true;
}

namespace {

// Bounds-checked view of the image: every offset from the file is checked before use.
struct Image {
    const QByteArray &bytes;
    bool in(quint64 off, quint64 len) const
    {
        return off <= quint64(bytes.size()) && len <= quint64(bytes.size()) - off;
    }
    template<typename T> bool read(quint64 off, T *out) const
    {
        if (!in(off, sizeof(T)))
            return false;
        std::memcpy(out, bytes.constData() + off, sizeof(T));
        return true;
    }
    QByteArray cstr(quint64 off, quint64 limit) const
    {
        if (off >= quint64(bytes.size()))
            return {};
        const quint64 max = qMin<quint64>(limit, quint64(bytes.size()) - off);
        const char *p = bytes.constData() + off;
        const void *nul = std::memchr(p, 0, max);
        return QByteArray(p, nul ? int(static_cast<const char *>(nul) - p) : int(max));
    }
};

} // namespace

KoFileFacts parseKoImage(const QByteArray &bytes, const QString &name)
{
    KoFileFacts facts;
    const auto fail = [&](const QString &why) {
        facts.compiler = Fact::unknown(name + QStringLiteral(": ") + why);
        facts.exit = ExitPresence::Unknown;
        facts.exitWhy = facts.compiler.why;
        return facts;
    };
    Image img {bytes};
    Elf64_Ehdr eh;
    if (!img.read(0, &eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return fail(QStringLiteral("not an ELF file (corrupt .ko?)"));
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(QStringLiteral("not a 64-bit little-endian ELF file"));
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum
        || !img.in(eh.e_shoff, quint64(eh.e_shnum) * sizeof(Elf64_Shdr)))
        return fail(QStringLiteral("section header table is truncated or corrupt"));

    QList<Elf64_Shdr> sh(eh.e_shnum);
    for (int i = 0; i < eh.e_shnum; ++i)
        img.read(eh.e_shoff + quint64(i) * sizeof(Elf64_Shdr), &sh[i]);
    const Elf64_Shdr &strSec = sh[eh.e_shstrndx];
    if (!img.in(strSec.sh_offset, strSec.sh_size))
        return fail(QStringLiteral("section name table is truncated"));

    bool haveComment = false;
    bool haveSymtab = false;
    bool exitFound = false;
    for (int i = 0; i < eh.e_shnum; ++i) {
        const Elf64_Shdr &s = sh[i];
        if (s.sh_name >= strSec.sh_size)
            continue;
        const QByteArray secName = img.cstr(strSec.sh_offset + s.sh_name, strSec.sh_size - s.sh_name);
        if (secName == ".comment" && s.sh_type != SHT_NOBITS && img.in(s.sh_offset, s.sh_size)) {
            haveComment = true;
            QStringList parts;
            for (const QByteArray &p : bytes.mid(qsizetype(s.sh_offset), qsizetype(s.sh_size)).split('\0')) {
                const QString t = QString::fromUtf8(p).trimmed();
                // The compiler strings; skip linker and assembler notes.
                if (!t.isEmpty() && !parts.contains(t) && !t.startsWith(QLatin1String("Linker:")))
                    parts << t;
            }
            facts.compiler = parts.isEmpty() ? Fact::unknown(name + QStringLiteral(": .comment section is empty"))
                                             : Fact::of(parts.join(QStringLiteral("; ")));
        } else if (s.sh_type == SHT_SYMTAB && s.sh_entsize == sizeof(Elf64_Sym) && s.sh_link < eh.e_shnum
            && img.in(s.sh_offset, s.sh_size)) {
            haveSymtab = true;
            const Elf64_Shdr &symStr = sh[s.sh_link];
            if (!img.in(symStr.sh_offset, symStr.sh_size))
                continue;
            const quint64 count = s.sh_size / sizeof(Elf64_Sym);
            for (quint64 k = 0; k < count; ++k) {
                Elf64_Sym sym;
                img.read(s.sh_offset + k * sizeof(Elf64_Sym), &sym);
                if (sym.st_name == 0 || sym.st_name >= symStr.sh_size || sym.st_shndx == SHN_UNDEF)
                    continue;
                // module_exit()/module_init() define these aliases (include/linux/module.h).
                const QByteArray symName = img.cstr(symStr.sh_offset + sym.st_name, 64);
                if (symName == "cleanup_module")
                    exitFound = true;
                else if (symName == "init_module")
                    facts.hasInit = true;
            }
        }
    }
    if (!haveComment)
        facts.compiler = Fact::unknown(name + QStringLiteral(": no .comment section (stripped?)"));
    if (haveSymtab) {
        facts.exit = exitFound ? ExitPresence::Present : ExitPresence::Missing;
    } else {
        facts.exit = ExitPresence::Unknown;
        facts.exitWhy = name + QStringLiteral(": no symbol table (stripped module)");
    }
    return facts;
}

KoFileFacts readKoFile(const QString &path)
{
    QByteArray image;
    QString why;
    if (!loadModuleImage(path, &image, &why)) {
        KoFileFacts f;
        f.compiler = Fact::unknown(why);
        f.exitWhy = why;
        return f;
    }
    return parseKoImage(image, path);
}

} // namespace kmr
