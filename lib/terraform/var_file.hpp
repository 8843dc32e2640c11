// Passing variable values to Terraform without putting them on its command line (issue 11,
// item 6): `ps -eo args` shows every process's argv to every user, so a `-var=NAME=VALUE`
// secret leaks for as long as the command runs.
//
// Why a var file, and where: Terraform applies -var-file and -var in command-line order, the
// later winning, and TF_VAR_NAME environment variables below every var file (terraform.tfvars,
// *.auto.tfvars and -var-file; checked with Terraform 1.11.4: TF_VAR_s=env with
// -var-file=u.tfvars gives u.tfvars's value). Our values used to come as -var after the user's
// var files, so they now come as -var-file after them: the same precedence. TF_VAR_ would have
// let the user's var files override the rollout's vars.
//
// Exactness: Terraform reads a -var value literally (as a string) when the root variable has no
// type or a primitive one (string, number, bool), and as an HCL expression for any other type
// (list(...), map(...), object(...), any...). Literal values go to a .tfvars.json as JSON
// strings (evaluated without interpolation: "${x}" stays "${x}"); HCL-parsed values go to a
// native .tfvars as `NAME = (\nVALUE\n)`: the parentheses make newlines inside the value
// insignificant, so the value is one expression as on the command line. A -var for a variable
// the root does not declare is an error in Terraform; in a var file it would only be a warning,
// so such a name is refused here before Terraform starts.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tfstage::terraform {

struct Variable;

// How Terraform parses a command-line value of a root variable.
enum class VarParsing { literal, hcl };

// The variables the root module in `root_dir` declares (*.tf and *.tf.json, override files
// last), with the parsing their type constraint implies.
std::map<std::string, VarParsing> declared_variables(const std::filesystem::path& root_dir);

// A valid Terraform variable name: a letter or '_', then letters, digits, '_' or '-'.
bool is_variable_name(const std::string& name);

// The var files of one command, in a private directory (mode 0700, made by mkdtemp under
// $TMPDIR) and created with O_EXCL, mode 0600; the destructor removes files and directory.
// Throws Error(invalid_argument) for an invalid or undeclared name or a value that is not UTF-8.
class VarFiles {
public:
    VarFiles(const std::vector<Variable>& vars, const std::filesystem::path& root_dir);
    ~VarFiles();
    VarFiles(const VarFiles&) = delete;
    VarFiles& operator=(const VarFiles&) = delete;

    // In the order they must be passed (-var-file=... each).
    const std::vector<std::filesystem::path>& paths() const { return paths_; }
    const std::filesystem::path& directory() const { return dir_; }

private:
    void write(const std::string& name, const std::string& text);
    void remove() noexcept;

    std::filesystem::path dir_;
    std::vector<std::filesystem::path> paths_;
};

}  // namespace tfstage::terraform
