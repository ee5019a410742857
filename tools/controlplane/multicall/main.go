// Command multicall is etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler in one binary, linked once (as hyperkube was). kubectl is not
// in it: it is started for every call, and in here it would first initialise
// every package of the four servers (twice its own start-up CPU).
// It runs the component named by the name it was called by (build.mjs puts a
// symlink per component next to it), or by its first argument:
//
//	kube-apiserver --etcd-servers=...      (symlink)
//	multicall kube-apiserver --etcd-servers=...
//
// Each component is started exactly as its own upstream main package starts it.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	_ "time/tzdata" // CronJob time zones, as the apiserver and controller-manager mains embed

	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // --logging-format=json
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // the version metric
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

var components = map[string]func(){
	"etcd":                    func() { etcdmain.Main(os.Args) },
	"kube-apiserver":          func() { os.Exit(cli.Run(apiserver.NewAPIServerCommand())) },
	"kube-controller-manager": func() { os.Exit(cli.Run(controllermanager.NewControllerManagerCommand())) },
	"kube-scheduler":          func() { os.Exit(cli.Run(scheduler.NewSchedulerCommand())) },
}

func main() {
	run, ok := components[filepath.Base(os.Args[0])]
	if !ok && len(os.Args) > 1 {
		if run, ok = components[os.Args[1]]; ok {
			// The component sees itself as argv[0], as if called by its own name.
			os.Args = os.Args[1:]
		}
	}
	if !ok {
		names := make([]string, 0, len(components))
		for n := range components {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: %s <component> [flags], or call it by a component's name; components: %v\n", filepath.Base(os.Args[0]), names)
		os.Exit(2)
	}
	run()
}
