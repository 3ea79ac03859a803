# dflab lab shell: prompt, colours and the welcome (sourced by login and
# interactive bash shells; /etc/bash.bashrc sources it too).
if [ -n "${BASH_VERSION:-}" ] && [ -n "${PS1:-}" ]; then
    # The scenario id lands in PS1: keep only characters bash cannot expand.
    _dflab_id=$(printf '%s' "${DFLAB_SCENARIO:-lab}" | tr -cd 'A-Za-z0-9._-' | cut -c1-32)
    PS1='\[\e[1;36m\][lab:'"${_dflab_id:-lab}"']\[\e[0m\] \[\e[1;34m\]\w\[\e[0m\] \$ '
    unset _dflab_id
    alias ls='ls --color=auto' grep='grep --color=auto' ll='ls -l'
    if [ -z "${DFLAB_WELCOMED:-}" ]; then
        export DFLAB_WELCOMED=1
        printf '\n  \033[1m%s\033[0m\n' "${DFLAB_TITLE:-dflab lab}"
        printf '  Evidence (read-only): /evidence    Your work: /work\n'
        printf "  Run 'lab tasks' to begin; 'lab --help' lists every command.\n\n"
    fi
fi
