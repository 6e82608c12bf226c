# bash completion for visnet(8): flags, and the values of those that take
# a fixed set. Needs nothing of the bash-completion package.
_visnet() {
   local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
   local flags="--once --json --dot --headless --replay --no-bpf --delay --pid --all --numeric
      --width --at --filter --view --sort --speed --record --record-max --force --duration
      --prune-after --auto-prune --max-inactive --no-color --no-colour --no-config --no-sandbox
      --verbose --probe-bytes --probe-states --help --version -d -p -a -n -v -h --no-mouse
      --read-only --netns --remote --remote-file --ssh-command --remote-visnet --while-stdin"
   case $prev in
   --view) mapfile -t COMPREPLY < <(compgen -W "tree flat remote" -- "$cur"); return ;;
   --sort) mapfile -t COMPREPLY < <(compgen -W "pid name conns bytes last rate age rtt retrans" -- "$cur"); return ;;
   --probe-bytes) mapfile -t COMPREPLY < <(compgen -W "poll trace" -- "$cur"); return ;;
   --probe-states) mapfile -t COMPREPLY < <(compgen -W "lasting all" -- "$cur"); return ;;
   --replay | --record | --remote-file) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
   --remote) mapfile -t COMPREPLY < <(compgen -A hostname -- "${cur##*,}"); return ;;
   --netns) mapfile -t COMPREPLY < <(compgen -W "self $(ls -d /run/netns/* 2>/dev/null)" -- "$cur"); return ;;
   --ssh-command | --remote-visnet) return ;;
   -p | --pid) mapfile -t COMPREPLY < <(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur"); return ;;
   -d | --delay | --width | --at | --filter | --speed | --record-max | --duration | --prune-after | --max-inactive)
      return ;; # a value of the user's own
   esac
   mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")
}
complete -F _visnet visnet
