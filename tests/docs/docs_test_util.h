// What the document tests share: the project's Markdown documents, their
// fenced blocks with the marker comment before each, and a comparison of
// output with what a document shows.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rules/source_dir.h"

namespace restorelab::testing {

/// The documents a user reads, relative to the source tree: the README, the
/// formats under docs/ and the folders' READMEs.
inline std::vector<std::string> project_documents() {
  std::vector<std::string> docs = {"README.md",        "scenarios/README.md", "images/README.md",
                                   "harness/store/README.md", "bench/README.md", "tests/fuzz/README.md"};
  std::vector<std::string> formats;
  for (const auto& entry : std::filesystem::directory_iterator(restorelab::source_path("/docs")))
    if (entry.path().extension() == ".md") formats.push_back("docs/" + entry.path().filename().string());
  std::sort(formats.begin(), formats.end());
  docs.insert(docs.end(), formats.begin(), formats.end());
  return docs;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// A fenced block of a Markdown document.
struct FencedBlock {
  std::string info;    ///< what follows the opening fence: "sh", "toml", ""
  std::string marker;  ///< the `<!-- marker -->` on the last non-blank line before it, or ""
  std::string text;    ///< the lines between the fences
  int line = 0;        ///< of the opening fence, 1-based
};

/// The fenced blocks of `markdown`, in order.
inline std::vector<FencedBlock> fenced_blocks(const std::string& markdown) {
  std::vector<FencedBlock> blocks;
  std::istringstream in(markdown);
  std::string line, last_non_blank;
  int number = 0;
  FencedBlock* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (open != nullptr) {
      if (line.starts_with("```")) {
        open = nullptr;
        last_non_blank.clear();
      } else {
        open->text += line + "\n";
      }
      continue;
    }
    if (line.starts_with("```")) {
      FencedBlock b;
      b.info = line.substr(3);
      b.line = number;
      if (last_non_blank.starts_with("<!-- ") && last_non_blank.ends_with(" -->"))
        b.marker = last_non_blank.substr(5, last_non_blank.size() - 9);
      blocks.push_back(b);
      open = &blocks.back();
      continue;
    }
    if (line.find_first_not_of(" \t") != std::string::npos) last_non_blank = line;
  }
  return blocks;
}

/// A shell command of a document's block: its words, and where its
/// standard input and output are redirected.
struct DocCommand {
  std::vector<std::string> argv;
  std::string stdin_file, stdout_file;
  std::string comment;  ///< after `#`
  std::string text;     ///< the line as written
};

/// Splits each line of a shell block into words: single and double quotes
/// group, `#` starts a comment, `< FILE` and `> FILE` redirect. Nothing else
/// of a shell is understood (the test fails on a block that needs more).
inline std::vector<DocCommand> shell_commands(const std::string& block) {
  std::vector<DocCommand> out;
  std::istringstream in(block);
  for (std::string line; std::getline(in, line);) {
    DocCommand c;
    c.text = line;
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char ch = line[i];
      if (ch == '\'' || ch == '"') {
        const std::size_t end = line.find(ch, i + 1);
        word += line.substr(i + 1, end - i - 1);
        in_word = true;
        i = end == std::string::npos ? line.size() : end;
      } else if (ch == ' ' || ch == '\t') {
        if (in_word) words.push_back(word);
        word.clear();
        in_word = false;
      } else if (ch == '#' && !in_word) {
        c.comment = line.substr(i + 1);
        break;
      } else {
        word += ch;
        in_word = true;
      }
    }
    if (in_word) words.push_back(word);
    for (std::size_t i = 0; i < words.size(); ++i) {
      if ((words[i] == "<" || words[i] == ">") && i + 1 < words.size()) {
        (words[i] == "<" ? c.stdin_file : c.stdout_file) = words[i + 1];
        ++i;
      } else {
        c.argv.push_back(words[i]);
      }
    }
    if (!c.argv.empty()) out.push_back(std::move(c));
  }
  return out;
}

inline bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// `text` with every duration ("1.74 s", "0.2 s", "12 ms") written as "N s"
/// or "N ms": they differ from run to run. (No std::regex: GCC 12 warns
/// inside it at -O1, and the tests build with -Werror.)
inline std::string without_durations(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) && (i == 0 || !word_char(text[i - 1]))) {
      std::size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      if (j + 1 < text.size() && text[j] == '.' && std::isdigit(static_cast<unsigned char>(text[j + 1]))) {
        ++j;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      }
      for (std::string_view unit : {" s", " ms"}) {
        const std::size_t end = j + unit.size();
        if (text.compare(j, unit.size(), unit) == 0 && (end == text.size() || !word_char(text[end]))) {
          out += "N";
          i = j;
          break;
        }
      }
      if (i == j) continue;
      out.append(text, i, j - i);
      i = j;
      continue;
    }
    out += text[i++];
  }
  return out;
}

/// True when `word` occurs in `text` with no letter, digit or '-' right
/// before or after it (`--db` is not found in `--dbx`, `-j` not in `-jobs`).
inline bool has_word(const std::string& text, const std::string& word) {
  auto joins = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; };
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const std::size_t end = at + word.size();
    if ((at == 0 || !joins(text[at - 1])) && (end == text.size() || !joins(text[end]))) return true;
  }
  return false;
}

/// True when `actual` is what a document shows as `shown`: line for line,
/// where a line "..." stands for any number of lines, and durations are
/// not compared.
inline bool shows(const std::string& shown, const std::string& actual) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(without_durations(text));
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  };
  const std::vector<std::string> want = lines(shown), have = lines(actual);
  // Glob matching over lines, "..." the star: linear, one backtrack point.
  std::size_t w = 0, h = 0, star = std::string::npos, star_h = 0;
  while (h < have.size()) {
    if (w < want.size() && want[w] == "...") {
      star = w++;
      star_h = h;
    } else if (w < want.size() && want[w] == have[h]) {
      ++w;
      ++h;
    } else if (star != std::string::npos) {
      w = star + 1;
      h = ++star_h;
    } else {
      return false;
    }
  }
  while (w < want.size() && want[w] == "...") ++w;
  return w == want.size();
}

/// The block of README.md after the marker `<!-- name -->`.
inline std::string readme_block_after(const std::string& name) {
  for (const FencedBlock& b : fenced_blocks(read_text(restorelab::source_path("/README.md"))))
    if (b.marker == name) return b.text;
  ADD_FAILURE() << "README.md has no block marked <!-- " << name << " -->";
  return "";
}

}  // namespace restorelab::testing
