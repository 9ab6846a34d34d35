// Command rechargebot runs the recharge bot: chat channels, scheduler and the KwikAPI simulator.
//
// Usage: rechargebot [--help] SUBCOMMAND [flags]. Configuration comes from environment variables;
// `rechargebot --help` lists them with their defaults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand. run receives the arguments after the subcommand's name.
type command struct {
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// commands holds the subcommands. Each lives in its own file and adds itself in an init function.
var commands = map[string]command{}

// environment is the parsed configuration and the standard streams that every subcommand gets.
type environment struct {
	cfg    Config
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errUsage reports a command line that was printed back with its usage; exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		return 0
	}

	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "rechargebot: unknown subcommand %q; run rechargebot --help for the list\n", args[0])
		return 2
	}

	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "rechargebot: %v\n", err)
		return 2
	}

	env := &environment{cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}
	err = cmd.run(ctx, env, args[1:])
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "rechargebot %s: %v\n", args[0], err)
		return 1
	}
}

// parseFlags parses a subcommand's arguments, which take no positional arguments. It returns
// flag.ErrHelp for --help and errUsage, after printing the problem and the usage, for anything
// else that does not parse.
func parseFlags(env *environment, flags *flag.FlagSet, args []string) error {
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(env.stderr, "rechargebot %s: unexpected argument %q\n", flags.Name(), flags.Arg(0))
		flags.Usage()
		return errUsage
	}
	return nil
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "rechargebot: prepaid mobile and DTH recharges by chat, paid through KwikAPI.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: rechargebot SUBCOMMAND [flags]   (SUBCOMMAND --help for its flags)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Subcommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-16s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Environment variables (a variable marked secret may instead name a file in VARIABLE_FILE):")
	printConfigHelp(w)
}
