// HTTP adapters for the customer archive (docs/api-customers.md): map query strings and
// JSON bodies to CustomerService calls. No rules live here.
#include "app/app.h"
#include "core/text.h"
#include "modules/customers/customer_attachments.h"
#include "modules/customers/customer_io.h"
#include "modules/customers/customer_merge.h"
#include "modules/customers/customer_service.h"
#include "modules/customers/customer_views.h"

namespace tuoke::app {
namespace {

using customers::CustomerService;
using http::Request;
using http::Response;
using http::RouteDoc;

const platform::Caller& CallerOf(const Request& request) { return *request.caller; }

Json Body(const Request& request) { return ParseJsonObject(request.body); }

// The filter parameters are parsed by ParseCustomerFilter, which saved views share (R-CUST-20).
customers::CustomerFilter ParseFilter(const Request& request) {
  customers::CustomerFilter filter = customers::ParseCustomerFilter(
      [&request](const std::string& name) { return request.Query(name); });
  filter.limit = ListLimit(request);
  if (auto cursor = request.Query("cursor"); cursor && !cursor->empty()) filter.cursor = *cursor;
  return filter;
}

// Uploaded files may exceed the JSON body limit of the server (AppConfig::max_body_bytes).
constexpr size_t kImportFileBodyLimit = 20 * 1024 * 1024;

// Import and export (customer_io.h). Registered before "/{id}": the router takes the
// first pattern that matches, and "export.csv" would otherwise read as an id.
void RegisterCustomerIoRoutes(http::Router& router, CustomerService& service) {
  const std::string base = "/api/v1/customers";
  auto io = std::make_shared<customers::CustomerIo>(service);
  auto language = [](const Request& request) {
    auto lang = request.Query("lang");
    if (!lang || lang->empty() || *lang == "zh" || *lang == "zh-CN") return customers::ExportLanguage::kChinese;
    if (*lang == "en") return customers::ExportLanguage::kEnglish;
    ThrowValidation("lang", "must be zh or en");
  };
  auto answer = [](customers::ExportFile file) {
    Response response;
    response.content_type = file.content_type;
    response.body = std::move(file.body);
    response.headers.emplace_back("Content-Disposition",
                                  customers::ContentDisposition(file.file_name, file.ascii_file_name));
    response.headers.emplace_back("X-Export-Rows", std::to_string(file.rows));
    return response;
  };
  router.Add("GET", base + "/export.csv",
             [io, language, answer](Request& request) {
               return answer(io->ExportCsv(CallerOf(request), ParseFilter(request), language(request)));
             },
             RouteDoc{"The list (same filters and scope) as CSV, UTF-8 with BOM", "customers", "customers.read"});
  router.Add("GET", base + "/export.xlsx",
             [io, language, answer](Request& request) {
               return answer(io->ExportXlsx(CallerOf(request), ParseFilter(request), language(request)));
             },
             RouteDoc{"The list (same filters and scope) as an XLSX workbook", "customers", "customers.read"});
  router.Add("POST", base + "/import",
             [io](Request& request) { return Response::JsonBody(io->Import(CallerOf(request), Body(request))); },
             RouteDoc{"Import parsed rows: dry run, all or nothing, or skip bad rows", "customers",
                      "customers.write", true});
  // R-CUST-35..37: the body is the CSV or XLSX file itself; options in the query string.
  router.Add("POST", base + "/import-file",
             [io](Request& request) {
               customers::ImportFileOptions options;
               options.mode = request.Query("mode").value_or("");
               options.encoding = request.Query("encoding").value_or("auto");
               options.format = request.Query("format").value_or("auto");
               if (auto mapping = request.Query("mapping"); mapping && !mapping->empty()) {
                 Json parsed = Json::parse(*mapping, nullptr, false);
                 if (!parsed.is_object()) ThrowValidation("mapping", "must be a JSON object of header to field");
                 options.mapping = std::move(parsed);
               }
               if (auto owner = request.Query("ownerId"); owner && !owner->empty()) {
                 options.owner_id = ParseId(*owner);
                 if (!options.owner_id) ThrowValidation("ownerId", "must be an id");
               }
               auto acknowledge = request.Query("acknowledgeDuplicates").value_or("false");
               if (acknowledge != "true" && acknowledge != "false")
                 ThrowValidation("acknowledgeDuplicates", "must be true or false");
               options.acknowledge_duplicates = acknowledge == "true";
               return Response::JsonText(io->ImportFileText(CallerOf(request), request.body, options));
             },
             RouteDoc{"Import a CSV (UTF-8 or GBK) or XLSX file: the body is the file", "customers",
                      "customers.write", true, 200, kImportFileBodyLimit});
}

// Merges (R-CUST-16..19) and saved views (R-CUST-20, 21); registered before "/{id}".
void RegisterCustomerMergeAndViewRoutes(http::Router& router, CustomerService& service) {
  const std::string base = "/api/v1/customers";
  auto merges = std::make_shared<customers::CustomerMergeService>(service.database(), service, service.clock());
  auto views = std::make_shared<customers::CustomerViewService>(service.database(), service.clock());
  router.Add("POST", base + "/merge",
             [merges](Request& request) {
               return Response::JsonBody(merges->Merge(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Merge a duplicate into a survivor (managers over both)", "customers", "customers.assign",
                      true, 201});
  // R-CUST-64: the caller's room to claim from the pool.
  router.Add("GET", base + "/pool/status",
             [&service](Request& request) { return Response::JsonBody(service.PoolStatus(CallerOf(request))); },
             RouteDoc{"What the caller may still claim from the shared pool today", "customers", "customers.read"});
  // R-CUST-61: several customers to one owner at once.
  router.Add("POST", base + "/assign",
             [&service](Request& request) {
               return Response::JsonBody(service.AssignMany(CallerOf(request), Body(request)));
             },
             RouteDoc{"Assign or transfer up to 500 customers to one owner, all or nothing", "customers",
                      "customers.assign", true});
  router.Add("POST", base + "/merges/{id}/reverse",
             [merges](Request& request) {
               return Response::JsonBody(
                   merges->Reverse(CallerOf(request), request.PathId("id", "customers"), Body(request)), 201);
             },
             RouteDoc{"Reverse a merge by a new reversal record", "customers", "customers.assign", true, 201});
  const std::string views_base = "/api/v1/customer-views";
  router.Add("GET", views_base,
             [views](Request& request) { return Response::JsonBody(views->List(CallerOf(request))); },
             RouteDoc{"The caller's saved list views and those shared with the caller's unit", "customers",
                      "customers.read"});
  router.Add("POST", views_base,
             [views](Request& request) {
               return Response::JsonBody(views->Create(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Save a list view (filters and sort)", "customers", "customers.read", true, 201});
  router.Add("PATCH", views_base + "/{id}",
             [views](Request& request) {
               return Response::JsonBody(
                   views->Update(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Edit one's saved view", "customers", "customers.read", true});
  router.Add("DELETE", views_base + "/{id}",
             [views](Request& request) {
               views->Delete(CallerOf(request), request.PathId("id", "customers"));
               return Response::NoContent();
             },
             RouteDoc{"Delete one's saved view", "customers", "customers.read", false, 204});
}

// Attachments (R-CUST-26..30). The upload body is the file itself (not multipart): the
// route allows up to kUploadBodyLimit, the policy customers.attachment_max_bytes decides.
constexpr size_t kUploadBodyLimit = 20 * 1024 * 1024;

void RegisterCustomerAttachmentRoutes(http::Router& router, customers::CustomerAttachmentService& service) {
  auto* attachments = &service;
  router.Add("POST", "/api/v1/customers/{id}/attachments",
             [attachments](Request& request) {
               customers::AttachmentUpload upload;
               upload.kind = request.Query("kind").value_or("");
               upload.file_name = request.Query("fileName").value_or("");
               upload.note = request.Query("note");
               if (auto type = request.Header("content-type")) upload.declared_type = std::string(*type);
               upload.bytes = request.body;
               return Response::JsonBody(
                   attachments->Upload(CallerOf(request), request.PathId("id", "customers"), upload), 201);
             },
             RouteDoc{"Upload an attachment: the body is the file; kind and fileName in the query", "customers",
                      "customers.write", true, 201, kUploadBodyLimit});
  router.Add("GET", "/api/v1/customers/{id}/attachments",
             [attachments](Request& request) {
               return Response::JsonBody(attachments->List(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"The customer's attachments", "customers", "customers.read"});
  router.Add("GET", "/api/v1/customer-attachments/{id}/content",
             [attachments](Request& request) {
               auto disposition = request.Query("disposition").value_or("attachment");
               if (disposition != "attachment" && disposition != "inline")
                 ThrowValidation("disposition", "must be attachment or inline");
               customers::AttachmentContent content =
                   attachments->Download(CallerOf(request), request.PathId("id", "customers"));
               Response response;
               response.content_type = content.content_type;
               response.body = std::move(content.bytes);
               response.headers.emplace_back(
                   "Content-Disposition", customers::AttachmentDisposition(content.file_name, disposition == "inline"));
               return response;
             },
             RouteDoc{"Download an attachment (the bytes, with its type and file name)", "customers",
                      "customers.read"});
  router.Add("DELETE", "/api/v1/customer-attachments/{id}",
             [attachments](Request& request) {
               attachments->Delete(CallerOf(request), request.PathId("id", "customers"));
               return Response::NoContent();
             },
             RouteDoc{"Delete an attachment (kept for the audit trail, no longer listed)", "customers",
                      "customers.write", false, 204});
}

}  // namespace

void RegisterCustomerRoutes(http::Router& router, CustomerService& service,
                            customers::CustomerAttachmentService& attachments) {
  const std::string base = "/api/v1/customers";
  router.Add("GET", base,
             [&service](Request& request) {
               return Response::JsonText(service.List(CallerOf(request), ParseFilter(request)));
             },
             RouteDoc{"Customers in the caller's scope and the pool: search, filters, sort", "customers",
                      "customers.read"});
  RegisterCustomerIoRoutes(router, service);
  RegisterCustomerMergeAndViewRoutes(router, service);
  RegisterCustomerAttachmentRoutes(router, attachments);
  router.Add("POST", base + "/duplicate-check",
             [&service](Request& request) {
               return Response::JsonBody(service.DuplicateCheck(CallerOf(request), Body(request)));
             },
             RouteDoc{"Likely duplicates by name, phone and address", "customers", "customers.read", true});
  router.Add("POST", base,
             [&service](Request& request) {
               return Response::JsonText(service.Create(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Create a customer owned by the caller", "customers", "customers.write", true, 201});
  router.Add("GET", base + "/{id}",
             [&service](Request& request) {
               return Response::JsonText(service.Get(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"One customer with its contacts", "customers", "customers.read"});
  router.Add("PATCH", base + "/{id}",
             [&service](Request& request) {
               return Response::JsonText(
                   service.Update(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Edit a customer", "customers", "customers.write", true});
  router.Add("POST", base + "/{id}/grade-override",
             [&service](Request& request) {
               return Response::JsonText(
                   service.OverrideGrade(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Override the computed grade with a reason", "customers", "customers.assign", true});
  router.Add("DELETE", base + "/{id}/grade-override",
             [&service](Request& request) {
               return Response::JsonText(
                   service.RemoveGradeOverride(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"Return to the computed grade", "customers", "customers.assign"});
  router.Add("GET", base + "/{id}/grade-history",
             [&service](Request& request) {
               return Response::JsonBody(service.GradeHistory(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"Changes of the grade, newest first", "customers", "customers.read"});
  router.Add("GET", base + "/{id}/status-history",
             [&service](Request& request) {
               return Response::JsonBody(service.StatusHistory(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"Changes of the relationship status, newest first", "customers", "customers.read"});
  router.Add("POST", base + "/{id}/assign",
             [&service](Request& request) {
               return Response::JsonText(
                   service.Assign(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Assign or transfer to an owner", "customers", "customers.assign", true});
  router.Add("POST", base + "/{id}/release",
             [&service](Request& request) {
               return Response::JsonText(
                   service.Release(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Return to the shared pool (owner or manager)", "customers", "customers.write", true});
  router.Add("POST", base + "/{id}/claim",
             [&service](Request& request) {
               return Response::JsonText(service.Claim(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"Claim from the shared pool", "customers", "customers.write"});
  router.Add("GET", base + "/{id}/timeline",
             [&service](Request& request) {
               return Response::JsonBody(service.Timeline(CallerOf(request), request.PathId("id", "customers"),
                                                          ListLimit(request), ListCursor(request)));
             },
             RouteDoc{"Activity timeline, newest first", "customers", "customers.read"});
  router.Add("POST", base + "/{id}/follow-ups",
             [&service](Request& request) {
               return Response::JsonBody(
                   service.AddFollowUp(CallerOf(request), request.PathId("id", "customers"), Body(request)), 201);
             },
             RouteDoc{"Record a follow-up", "customers", "customers.write", true, 201});
  router.Add("POST", base + "/{id}/contacts",
             [&service](Request& request) {
               return Response::JsonBody(
                   service.AddContact(CallerOf(request), request.PathId("id", "customers"), Body(request)), 201);
             },
             RouteDoc{"Add a contact", "customers", "customers.write", true, 201});
  router.Add("PATCH", "/api/v1/contacts/{id}",
             [&service](Request& request) {
               return Response::JsonBody(
                   service.UpdateContact(CallerOf(request), request.PathId("id", "contacts"), Body(request)));
             },
             RouteDoc{"Edit a contact", "customers", "customers.write", true});
  router.Add("DELETE", "/api/v1/contacts/{id}",
             [&service](Request& request) {
               service.DeleteContact(CallerOf(request), request.PathId("id", "contacts"));
               return Response::NoContent();
             },
             RouteDoc{"Delete a contact", "customers", "customers.write", false, 204});
}

}  // namespace tuoke::app
