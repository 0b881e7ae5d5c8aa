fn main() {
    std::process::exit(foitrack::cli::main());
}
