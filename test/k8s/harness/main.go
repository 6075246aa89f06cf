// kubelet-harness runs the kubelet's real device manager
// (k8s.io/kubernetes/pkg/kubelet/cm/devicemanager, the release pinned in go.mod)
// against a device plugin, and prints as JSON what the kubelet would give a
// container: its mounts, environment, annotations and device nodes.
//
//	kubelet-harness [-resource NAME] [-timeout D] -- PLUGIN-COMMAND [ARGS...]
//
// The device manager's socket path is fixed (/var/lib/kubelet/device-plugins/
// kubelet.sock), so the harness refuses to run outside a private mount namespace:
// run it under `unshare --mount` with a tmpfs on /var/lib (test/k8s/run-harness.sh).
// It starts the manager, starts the plugin command, waits for the plugin to
// register and list devices, admits pod-1 (Allocate + GetDeviceRunContainerOptions),
// then restarts the kubelet (manager stopped, a new one created on the same
// directory, as a kubelet restart does), waits for the plugin to register again and
// admits pod-2 on the new manager.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	cadvisorapi "github.com/google/cadvisor/info/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/kubelet/cm/containermap"
	"k8s.io/kubernetes/pkg/kubelet/cm/devicemanager"
	"k8s.io/kubernetes/pkg/kubelet/cm/topologymanager"
)

type sourcesReady struct{}

func (sourcesReady) AddSource(string) {}
func (sourcesReady) AllReady() bool   { return true }

// Admission is what the kubelet decided for one container.
type Admission struct {
	Pod         string              `json:"pod"`
	DeviceIDs   map[string][]string `json:"deviceIDs"`
	Envs        map[string]string   `json:"envs"`
	Mounts      []Mount             `json:"mounts"`
	Devices     []Device            `json:"devices"`
	Annotations map[string]string   `json:"annotations"`
	CDIDevices  []string            `json:"cdiDevices"`
}

type Mount struct {
	ContainerPath string `json:"containerPath"`
	HostPath      string `json:"hostPath"`
	ReadOnly      bool   `json:"readOnly"`
}

type Device struct {
	PathOnHost      string `json:"pathOnHost"`
	PathInContainer string `json:"pathInContainer"`
	Permissions     string `json:"permissions"`
}

type Report struct {
	Module       string      `json:"module"`
	Capacity     []int64     `json:"capacity"`
	Admissions   []Admission `json:"admissions"`
	Restarts     int         `json:"restarts"`
	PluginSocket []string    `json:"pluginDirAfterRestart"`
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "kubelet-harness: "+format+"\n", a...)
	os.Exit(1)
}

// privateKubeletDir: /var/lib is the tmpfs run-harness.sh mounts in its private
// mount namespace (its source names it), so the host's /var/lib/kubelet is never touched.
func privateKubeletDir() bool {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		// mount-id parent major:minor root mount-point options ... - fstype source super-options
		if len(f) > 9 && f[4] == "/var/lib" {
			for i := 6; i < len(f)-2; i++ {
				if f[i] == "-" && f[i+1] == "tmpfs" && f[i+2] == "vfio-broker-harness" {
					return true
				}
			}
		}
	}
	return false
}

func pod(name, uid, res string, count int64) *v1.Pod {
	q := *resource.NewQuantity(count, resource.DecimalSI)
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(uid)},
		Spec: v1.PodSpec{Containers: []v1.Container{{
			Name:      "main",
			Image:     "example/vmm",
			Resources: v1.ResourceRequirements{Limits: v1.ResourceList{v1.ResourceName(res): q}, Requests: v1.ResourceList{v1.ResourceName(res): q}},
		}}},
	}
}

func startManager(logger klog.Logger, active func() []*v1.Pod) *devicemanager.ManagerImpl {
	topology := []cadvisorapi.Node{{Id: 0}, {Id: 1}}
	m, err := devicemanager.NewManagerImpl(topology, topologymanager.NewFakeManager())
	if err != nil {
		fail("NewManagerImpl: %v", err)
	}
	if err := m.Start(logger, active, sourcesReady{}, containermap.NewContainerMap(), sets.New[string]()); err != nil {
		fail("Start: %v", err)
	}
	return m
}

// waitForDevices waits until the plugin has registered with this manager and listed healthy devices.
func waitForDevices(m *devicemanager.ManagerImpl, res string, timeout time.Duration) int64 {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		_, allocatable, _ := m.GetCapacity()
		if q, ok := allocatable[v1.ResourceName(res)]; ok && q.Value() > 0 {
			return q.Value()
		}
		time.Sleep(100 * time.Millisecond)
	}
	fail("%s: no healthy device registered within %s", res, timeout)
	return 0
}

func admit(m *devicemanager.ManagerImpl, p *v1.Pod) Admission {
	c := &p.Spec.Containers[0]
	if err := m.Allocate(p, c); err != nil {
		fail("Allocate(%s): %v", p.Name, err)
	}
	opts, err := m.GetDeviceRunContainerOptions(context.Background(), p, c)
	if err != nil {
		fail("GetDeviceRunContainerOptions(%s): %v", p.Name, err)
	}
	a := Admission{Pod: p.Name, DeviceIDs: map[string][]string{}, Envs: map[string]string{}, Annotations: map[string]string{}, Mounts: []Mount{}, Devices: []Device{}, CDIDevices: []string{}}
	for r, devs := range m.GetDevices(string(p.UID), c.Name) {
		for id := range devs {
			a.DeviceIDs[r] = append(a.DeviceIDs[r], id)
		}
		sort.Strings(a.DeviceIDs[r])
	}
	for _, e := range opts.Envs {
		a.Envs[e.Name] = e.Value
	}
	for _, mt := range opts.Mounts {
		a.Mounts = append(a.Mounts, Mount{mt.ContainerPath, mt.HostPath, mt.ReadOnly})
	}
	for _, d := range opts.Devices {
		a.Devices = append(a.Devices, Device{d.PathOnHost, d.PathInContainer, d.Permissions})
	}
	for _, an := range opts.Annotations {
		a.Annotations[an.Name] = an.Value
	}
	for _, d := range opts.CDIDevices {
		a.CDIDevices = append(a.CDIDevices, d.Name)
	}
	return a
}

func main() {
	res := flag.String("resource", "vfio-broker.io/edu", "the resource the pods request")
	count := flag.Int64("count", 2, "how many devices pod-1 requests (pod-2 requests 1)")
	timeout := flag.Duration("timeout", 90*time.Second, "how long to wait for the plugin each time")
	flag.Parse()
	if flag.NArg() == 0 {
		fail("usage: kubelet-harness [flags] -- PLUGIN-COMMAND [ARGS...]")
	}
	if !privateKubeletDir() {
		fail("refusing to run in the host's mount namespace: the device manager owns /var/lib/kubelet/device-plugins (use test/k8s/run-harness.sh)")
	}
	logger := klog.Background()
	pod1 := pod("pod-1", "11111111-1111-1111-1111-111111111111", *res, *count)
	pod2 := pod("pod-2", "22222222-2222-2222-2222-222222222222", *res, 1)
	active := func() []*v1.Pod { return []*v1.Pod{pod1, pod2} }
	report := Report{Module: "k8s.io/kubernetes (see go.mod)"}

	m := startManager(logger, active)
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		fail("starting the plugin: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopPlugin := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	}
	defer stopPlugin()

	report.Capacity = append(report.Capacity, waitForDevices(m, *res, *timeout))
	report.Admissions = append(report.Admissions, admit(m, pod1))

	// A kubelet restart: the manager goes away and a new one starts on the same
	// directory (its startup removes every plugin socket there).
	if err := m.Stop(logger); err != nil {
		fail("Stop: %v", err)
	}
	m = startManager(logger, active)
	report.Restarts++
	report.Capacity = append(report.Capacity, waitForDevices(m, *res, *timeout))
	entries, _ := os.ReadDir("/var/lib/kubelet/device-plugins")
	for _, e := range entries {
		report.PluginSocket = append(report.PluginSocket, e.Name())
	}
	report.Admissions = append(report.Admissions, admit(m, pod2))
	_ = m.Stop(logger)
	stopPlugin()

	out, _ := json.MarshalIndent(report, "", "  ")
	fmt.Println(string(out))
}
