// Compile-only stand-ins for the ESP-IDF v5 / FreeRTOS / cJSON declarations the port (main/)
// uses, transcribed from the v5 headers' signatures. They let the host build type-check the port
// against the current core (format strings included); they cannot catch drift from the real
// ESP-IDF API — the ESP-IDF CI build (.github/workflows/firmware.yml) does that.
#pragma once
#include <cstddef>
#include <cstdint>

typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1
#define ESP_ERR_NOT_FOUND 0x105
#define ESP_ERR_INVALID_CRC 0x109
#define ESP_ERR_NVS_NO_FREE_PAGES 0x110d
#define ESP_ERR_NVS_NEW_VERSION_FOUND 0x1110
const char* esp_err_to_name(esp_err_t);
#define ESP_ERROR_CHECK(x) ((void)(x))
void esp_log_stub(const char* tag, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
#define ESP_LOGE(tag, fmt, ...) esp_log_stub(tag, fmt, ##__VA_ARGS__)
#define ESP_LOGW(tag, fmt, ...) esp_log_stub(tag, fmt, ##__VA_ARGS__)
#define ESP_LOGI(tag, fmt, ...) esp_log_stub(tag, fmt, ##__VA_ARGS__)
#define CONFIG_IDF_TARGET "esp32"
#define BIT0 (1u << 0)
#define BIT1 (1u << 1)

// FreeRTOS
typedef uint32_t TickType_t;
typedef int BaseType_t;
typedef unsigned UBaseType_t;
#define pdTRUE 1
#define pdFALSE 0
#define portMAX_DELAY 0xffffffffu
#define portNUM_PROCESSORS 2
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
typedef struct QueueDefinition* SemaphoreHandle_t;
typedef struct QueueDefinition* QueueHandle_t;
typedef struct tskTaskControlBlock* TaskHandle_t;
typedef void (*TaskFunction_t)(void*);
SemaphoreHandle_t xSemaphoreCreateMutex(void);
SemaphoreHandle_t xSemaphoreCreateBinary(void);
BaseType_t xSemaphoreTake(SemaphoreHandle_t, TickType_t);
BaseType_t xSemaphoreGive(SemaphoreHandle_t);
void vTaskDelay(TickType_t);
BaseType_t xTaskCreate(TaskFunction_t, const char*, uint32_t, void*, UBaseType_t, TaskHandle_t*);
BaseType_t xTaskCreatePinnedToCore(TaskFunction_t, const char*, uint32_t, void*, UBaseType_t, TaskHandle_t*, BaseType_t);
typedef uint32_t EventBits_t;
typedef struct EventGroupDef_t* EventGroupHandle_t;
EventGroupHandle_t xEventGroupCreate(void);
EventBits_t xEventGroupSetBits(EventGroupHandle_t, EventBits_t);
EventBits_t xEventGroupClearBits(EventGroupHandle_t, EventBits_t);
EventBits_t xEventGroupGetBits(EventGroupHandle_t);
EventBits_t xEventGroupWaitBits(EventGroupHandle_t, EventBits_t, BaseType_t, BaseType_t, TickType_t);
typedef struct tmrTimerControl* TimerHandle_t;
typedef void (*TimerCallbackFunction_t)(TimerHandle_t);
TimerHandle_t xTimerCreate(const char*, TickType_t, UBaseType_t, void*, TimerCallbackFunction_t);
BaseType_t xTimerStart(TimerHandle_t, TickType_t);

// esp_system / timer / random / heap / wdt / app
int64_t esp_timer_get_time(void);
uint32_t esp_random(void);
[[noreturn]] void esp_restart(void);
uint32_t esp_get_free_heap_size(void);
uint32_t esp_get_minimum_free_heap_size(void);
#define MALLOC_CAP_8BIT (1 << 2)
#define MALLOC_CAP_SPIRAM (1 << 10)
#define MALLOC_CAP_INTERNAL (1 << 11)
void* heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps);
void heap_caps_free(void*);
esp_err_t esp_task_wdt_add(TaskHandle_t);
esp_err_t esp_task_wdt_reset(void);
esp_err_t esp_task_wdt_delete(TaskHandle_t);
typedef struct {
  uint32_t magic_word;
  uint32_t secure_version;
  uint32_t reserv1[2];
  char version[32];
  char project_name[32];
} esp_app_desc_t;
const esp_app_desc_t* esp_app_get_description(void);

// GPIO / UART / I2S
typedef enum { GPIO_NUM_NC = -1, GPIO_NUM_0 = 0 } gpio_num_t;
typedef enum { GPIO_MODE_INPUT = 1, GPIO_MODE_OUTPUT = 2 } gpio_mode_t;
esp_err_t gpio_reset_pin(gpio_num_t);
esp_err_t gpio_set_direction(gpio_num_t, gpio_mode_t);
esp_err_t gpio_set_level(gpio_num_t, uint32_t);
typedef int uart_port_t;
#define UART_NUM_0 0
esp_err_t uart_driver_install(uart_port_t, int rx_buffer_size, int tx_buffer_size, int queue_size, QueueHandle_t* uart_queue,
                              int intr_alloc_flags);
bool uart_is_driver_installed(uart_port_t);
int uart_read_bytes(uart_port_t, void* buf, uint32_t length, TickType_t ticks_to_wait);
int uart_write_bytes(uart_port_t, const void* src, size_t size);
typedef struct i2s_channel_obj_t* i2s_chan_handle_t;
typedef enum { I2S_NUM_0 = 0, I2S_NUM_AUTO = 2 } i2s_port_t;
typedef enum { I2S_ROLE_MASTER, I2S_ROLE_SLAVE } i2s_role_t;
typedef struct {
  i2s_port_t id;
  i2s_role_t role;
  uint32_t dma_desc_num;
  uint32_t dma_frame_num;
  bool auto_clear;
  int intr_priority;
} i2s_chan_config_t;
#define I2S_CHANNEL_DEFAULT_CONFIG(i2s_num, i2s_role) \
  { .id = i2s_num, .role = i2s_role, .dma_desc_num = 6, .dma_frame_num = 240, .auto_clear = false, .intr_priority = 0 }
typedef enum { I2S_DATA_BIT_WIDTH_16BIT = 16, I2S_DATA_BIT_WIDTH_32BIT = 32 } i2s_data_bit_width_t;
typedef enum { I2S_SLOT_MODE_MONO = 1, I2S_SLOT_MODE_STEREO = 2 } i2s_slot_mode_t;
typedef enum { I2S_STD_SLOT_LEFT = 1, I2S_STD_SLOT_RIGHT = 2, I2S_STD_SLOT_BOTH = 3 } i2s_std_slot_mask_t;
typedef struct {
  uint32_t sample_rate_hz;
  int clk_src;
  int mclk_multiple;
} i2s_std_clk_config_t;
typedef struct {
  i2s_data_bit_width_t data_bit_width;
  int slot_bit_width;
  i2s_slot_mode_t slot_mode;
  i2s_std_slot_mask_t slot_mask;
  uint32_t ws_width;
  bool ws_pol;
  bool bit_shift;
  bool left_align;
  bool big_endian;
  bool bit_order_lsb;
} i2s_std_slot_config_t;
typedef struct {
  gpio_num_t mclk, bclk, ws, dout, din;
  struct {
    uint32_t mclk_inv : 1;
    uint32_t bclk_inv : 1;
    uint32_t ws_inv : 1;
  } invert_flags;
} i2s_std_gpio_config_t;
typedef struct {
  i2s_std_clk_config_t clk_cfg;
  i2s_std_slot_config_t slot_cfg;
  i2s_std_gpio_config_t gpio_cfg;
} i2s_std_config_t;
#define I2S_GPIO_UNUSED GPIO_NUM_NC
#define I2S_STD_CLK_DEFAULT_CONFIG(rate) {.sample_rate_hz = rate, .clk_src = 0, .mclk_multiple = 256}
#define I2S_STD_PHILIPS_SLOT_DEFAULT_CONFIG(bits, mode)                                                                  \
  {.data_bit_width = bits, .slot_bit_width = 0, .slot_mode = mode, .slot_mask = I2S_STD_SLOT_BOTH, .ws_width = bits, \
   .ws_pol = false, .bit_shift = true, .left_align = true, .big_endian = false, .bit_order_lsb = false}
esp_err_t i2s_new_channel(const i2s_chan_config_t*, i2s_chan_handle_t* tx, i2s_chan_handle_t* rx);
esp_err_t i2s_channel_init_std_mode(i2s_chan_handle_t, const i2s_std_config_t*);
esp_err_t i2s_channel_enable(i2s_chan_handle_t);
esp_err_t i2s_del_channel(i2s_chan_handle_t);
esp_err_t i2s_channel_read(i2s_chan_handle_t, void* dest, size_t size, size_t* bytes_read, uint32_t timeout_ms);

// NVS
typedef uint32_t nvs_handle_t;
typedef enum { NVS_READONLY, NVS_READWRITE } nvs_open_mode_t;
esp_err_t nvs_flash_init(void);
esp_err_t nvs_flash_erase(void);
esp_err_t nvs_open(const char*, nvs_open_mode_t, nvs_handle_t*);
esp_err_t nvs_get_str(nvs_handle_t, const char*, char*, size_t*);
esp_err_t nvs_set_str(nvs_handle_t, const char*, const char*);
esp_err_t nvs_get_blob(nvs_handle_t, const char*, void*, size_t*);
esp_err_t nvs_set_blob(nvs_handle_t, const char*, const void*, size_t);
esp_err_t nvs_commit(nvs_handle_t);
void nvs_close(nvs_handle_t);

// Events, netif, Wi-Fi, SNTP
typedef const char* esp_event_base_t;
typedef void (*esp_event_handler_t)(void*, esp_event_base_t, int32_t, void*);
typedef void* esp_event_handler_instance_t;
extern esp_event_base_t const WIFI_EVENT;
extern esp_event_base_t const IP_EVENT;
#define ESP_EVENT_ANY_ID -1
enum { WIFI_EVENT_STA_DISCONNECTED = 5 };
enum { IP_EVENT_STA_GOT_IP = 0 };
esp_err_t esp_event_loop_create_default(void);
esp_err_t esp_event_handler_instance_register(esp_event_base_t, int32_t, esp_event_handler_t, void*, esp_event_handler_instance_t*);
typedef struct esp_netif_obj esp_netif_t;
typedef struct {
  uint32_t addr;
} esp_ip4_addr_t;
typedef struct {
  esp_ip4_addr_t ip, netmask, gw;
} esp_netif_ip_info_t;
typedef struct {
  esp_netif_t* esp_netif;
  esp_netif_ip_info_t ip_info;
  bool ip_changed;
} ip_event_got_ip_t;
#define IPSTR "%d.%d.%d.%d"
#define IP2STR(ipaddr) \
  (int)((ipaddr)->addr & 0xff), (int)(((ipaddr)->addr >> 8) & 0xff), (int)(((ipaddr)->addr >> 16) & 0xff), (int)(((ipaddr)->addr >> 24) & 0xff)
esp_err_t esp_netif_init(void);
esp_netif_t* esp_netif_create_default_wifi_sta(void);
esp_err_t esp_netif_set_hostname(esp_netif_t*, const char*);
typedef struct {
  int dummy;
} wifi_init_config_t;
#define WIFI_INIT_CONFIG_DEFAULT() {.dummy = 0}
typedef enum { WIFI_AUTH_OPEN = 0, WIFI_AUTH_WPA2_PSK = 3 } wifi_auth_mode_t;
typedef enum { WIFI_MODE_STA = 1 } wifi_mode_t;
typedef enum { WIFI_IF_STA = 0 } wifi_interface_t;
typedef enum { WIFI_STORAGE_FLASH, WIFI_STORAGE_RAM } wifi_storage_t;
typedef struct {
  int8_t rssi;
  wifi_auth_mode_t authmode;
} wifi_scan_threshold_t;
typedef struct {
  bool capable;
  bool required;
} wifi_pmf_config_t;
typedef struct {
  uint8_t ssid[32];
  uint8_t password[64];
  wifi_scan_threshold_t threshold;
  wifi_pmf_config_t pmf_cfg;
} wifi_sta_config_t;
typedef union {
  wifi_sta_config_t sta;
} wifi_config_t;
typedef struct {
  uint8_t bssid[6];
  uint8_t ssid[33];
  uint8_t primary;
  int8_t rssi;
  wifi_auth_mode_t authmode;
} wifi_ap_record_t;
typedef struct wifi_scan_config_t wifi_scan_config_t;
esp_err_t esp_wifi_init(const wifi_init_config_t*);
esp_err_t esp_wifi_set_storage(wifi_storage_t);
esp_err_t esp_wifi_set_mode(wifi_mode_t);
esp_err_t esp_wifi_start(void);
esp_err_t esp_wifi_connect(void);
esp_err_t esp_wifi_disconnect(void);
esp_err_t esp_wifi_set_config(wifi_interface_t, wifi_config_t*);
esp_err_t esp_wifi_sta_get_ap_info(wifi_ap_record_t*);
esp_err_t esp_wifi_scan_start(const wifi_scan_config_t*, bool block);
esp_err_t esp_wifi_scan_get_ap_records(uint16_t* number, wifi_ap_record_t*);
typedef struct {
  bool smooth_sync;
  bool server_from_dhcp;
  bool wait_for_sync;
  bool start;
  void* sync_cb;
  bool renew_servers_after_new_IP;
  int ip_event_to_renew;
  size_t index_of_first_server;
  size_t num_of_servers;
  const char* servers[1];
} esp_sntp_config_t;
#define ESP_NETIF_SNTP_DEFAULT_CONFIG(server) \
  {.smooth_sync = false, .server_from_dhcp = false, .wait_for_sync = true, .start = true, .sync_cb = nullptr, \
   .renew_servers_after_new_IP = false, .ip_event_to_renew = 0, .index_of_first_server = 0, .num_of_servers = 1, .servers = {server}}
esp_err_t esp_netif_sntp_init(const esp_sntp_config_t*);
esp_err_t esp_netif_sntp_sync_wait(TickType_t);

// HTTP client, cert bundle, OTA
typedef struct esp_http_client* esp_http_client_handle_t;
typedef enum { HTTP_EVENT_ERROR = 0, HTTP_EVENT_ON_DATA = 5 } esp_http_client_event_id_t;
typedef enum { HTTP_METHOD_GET = 0, HTTP_METHOD_POST = 1 } esp_http_client_method_t;
typedef struct {
  esp_http_client_event_id_t event_id;
  esp_http_client_handle_t client;
  void* data;
  int data_len;
  void* user_data;
  char* header_key;
  char* header_value;
} esp_http_client_event_t;
typedef esp_err_t (*http_event_handle_cb)(esp_http_client_event_t*);
typedef struct {
  const char* url;
  const char* host;
  int port;
  const char* username;
  const char* password;
  const char* path;
  const char* query;
  const char* cert_pem;
  esp_http_client_method_t method;
  int timeout_ms;
  bool disable_auto_redirect;
  int max_redirection_count;
  http_event_handle_cb event_handler;
  void* user_data;
  esp_err_t (*crt_bundle_attach)(void* conf);
} esp_http_client_config_t;
esp_http_client_handle_t esp_http_client_init(const esp_http_client_config_t*);
esp_err_t esp_http_client_set_header(esp_http_client_handle_t, const char*, const char*);
esp_err_t esp_http_client_set_post_field(esp_http_client_handle_t, const char*, int);
esp_err_t esp_http_client_perform(esp_http_client_handle_t);
int esp_http_client_get_status_code(esp_http_client_handle_t);
esp_err_t esp_http_client_cleanup(esp_http_client_handle_t);
esp_err_t esp_http_client_open(esp_http_client_handle_t, int write_len);
int64_t esp_http_client_fetch_headers(esp_http_client_handle_t);
int esp_http_client_read(esp_http_client_handle_t, char* buffer, int len);
esp_err_t esp_crt_bundle_attach(void* conf);
typedef struct {
  const esp_http_client_config_t* http_config;
  void* http_client_init_cb;
  bool bulk_flash_erase;
  bool partial_http_download;
  int max_http_request_size;
} esp_https_ota_config_t;
esp_err_t esp_https_ota(const esp_https_ota_config_t*);
esp_err_t esp_ota_mark_app_valid_cancel_rollback(void);

// Partitions, LittleFS
typedef enum { ESP_PARTITION_TYPE_APP = 0, ESP_PARTITION_TYPE_DATA = 1 } esp_partition_type_t;
typedef enum { ESP_PARTITION_SUBTYPE_ANY = 0xff } esp_partition_subtype_t;
typedef struct {
  void* flash_chip;
  esp_partition_type_t type;
  esp_partition_subtype_t subtype;
  uint32_t address;
  uint32_t size;
  uint32_t erase_size;
  char label[17];
  bool encrypted;
  bool readonly;
} esp_partition_t;
typedef uint32_t esp_partition_mmap_handle_t;
typedef enum { ESP_PARTITION_MMAP_DATA, ESP_PARTITION_MMAP_INST } esp_partition_mmap_memory_t;
const esp_partition_t* esp_partition_find_first(esp_partition_type_t, esp_partition_subtype_t, const char*);
esp_err_t esp_partition_read(const esp_partition_t*, size_t, void*, size_t);
esp_err_t esp_partition_write(const esp_partition_t*, size_t, const void*, size_t);
esp_err_t esp_partition_erase_range(const esp_partition_t*, size_t, size_t);
esp_err_t esp_partition_mmap(const esp_partition_t*, size_t, size_t, esp_partition_mmap_memory_t, const void**, esp_partition_mmap_handle_t*);
void esp_partition_munmap(esp_partition_mmap_handle_t);
typedef struct {
  const char* base_path;
  const char* partition_label;
  const esp_partition_t* partition;
  uint8_t format_if_mount_failed : 1;
  uint8_t read_only : 1;
  uint8_t dont_mount : 1;
  uint8_t grow_on_mount : 1;
} esp_vfs_littlefs_conf_t;
esp_err_t esp_vfs_littlefs_register(const esp_vfs_littlefs_conf_t*);

// cJSON
typedef int cJSON_bool;
typedef struct cJSON {
  struct cJSON *next, *prev, *child;
  int type;
  char* valuestring;
  int valueint;
  double valuedouble;
  char* string;
} cJSON;
cJSON* cJSON_Parse(const char*);
void cJSON_Delete(cJSON*);
cJSON* cJSON_GetObjectItem(const cJSON*, const char*);
cJSON_bool cJSON_IsString(const cJSON*);
cJSON_bool cJSON_IsNumber(const cJSON*);
cJSON_bool cJSON_IsObject(const cJSON*);
